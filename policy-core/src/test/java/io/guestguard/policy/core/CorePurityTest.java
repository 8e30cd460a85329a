package io.guestguard.policy.core;

import com.tngtech.archunit.lang.ArchRule;
import io.guestguard.protocol.testing.PurityRule;
import org.junit.jupiter.api.Test;

/**
 * The decider's core stays pure: no framework (Quarkus, Kafka, SmallRye, CDI), no clock, no
 * randomness, no I/O. Fails as soon as such an import appears in {@code io.guestguard.policy.core}
 * or below (the scenario reader included). The rule is {@link PurityRule}, shared with the
 * migration watcher's {@code watch/}.
 */
class CorePurityTest {

    static final ArchRule CORE_IS_PURE = PurityRule.pure("io.guestguard.policy.core",
            "the decider is (state, fact) -> (state', decisions) and must replay exactly");

    @Test
    void coreHasNoFrameworkClockRandomnessOrIo() {
        PurityRule.check(CORE_IS_PURE, "io.guestguard.policy.core", Decider.class);
    }

    @Test
    void theRuleCatchesAnImpureClass() {
        PurityRule.assertCatches(CORE_IS_PURE, ImpureExample.class, "java.time.Instant.now()");
    }

    /** Lives in the core's package only in the test tree, to prove the rule bites. */
    static final class ImpureExample {
        java.time.Instant stamp() {
            return java.time.Instant.now();
        }
    }
}
