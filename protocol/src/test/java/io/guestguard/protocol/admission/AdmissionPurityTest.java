package io.guestguard.protocol.admission;

import com.tngtech.archunit.lang.ArchRule;
import io.guestguard.protocol.testing.PurityRule;
import org.junit.jupiter.api.Test;

/**
 * The admission rules stay pure, as {@link StartAdmission} claims: no framework, no clock, no
 * randomness, no I/O in {@code io.guestguard.protocol.admission}. The rule is {@link PurityRule},
 * shared with the decider's core and the migration watcher's {@code watch/}.
 */
class AdmissionPurityTest {

    static final ArchRule ADMISSION_IS_PURE = PurityRule.pure("io.guestguard.protocol.admission",
            "a host supervisor and the core's simulated fleet must admit the same starts from the same knowledge");

    @Test
    void admissionHasNoFrameworkClockRandomnessOrIo() {
        PurityRule.check(ADMISSION_IS_PURE, "io.guestguard.protocol.admission", StartAdmission.class);
    }

    @Test
    void theRuleCatchesAnImpureClass() {
        PurityRule.assertCatches(ADMISSION_IS_PURE, ImpureExample.class, "java.lang.System.currentTimeMillis()");
    }

    /** Lives in the package only in the test tree, to prove the rule bites. */
    static final class ImpureExample {
        long now() {
            return System.currentTimeMillis();
        }
    }
}
