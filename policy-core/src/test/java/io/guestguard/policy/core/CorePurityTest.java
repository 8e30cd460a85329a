package io.guestguard.policy.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decider's core stays pure: no framework (Quarkus, Kafka, SmallRye, CDI), no clock, no
 * randomness, no I/O. Fails as soon as such an import appears in {@code io.guestguard.policy.core}.
 */
class CorePurityTest {

    static final ArchRule CORE_IS_PURE = noClasses()
            .that().resideInAPackage("io.guestguard.policy.core..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.quarkus..", "org.apache.kafka..", "io.smallrye..", "jakarta..", "javax..",
                    "org.eclipse.microprofile..", "java.io..", "java.nio..", "java.net..", "java.sql..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.UUID")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().callMethod(java.time.Instant.class, "now")
            .because("the decider is (state, fact) -> (state', decisions) and must replay exactly");

    @Test
    void coreHasNoFrameworkClockRandomnessOrIo() {
        JavaClasses core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.guestguard.policy.core");
        CORE_IS_PURE.check(core);
    }

    @Test
    void theRuleCatchesAnImpureClass() {
        JavaClasses impure = new ClassFileImporter().importClasses(ImpureExample.class);
        assertThatThrownBy(() -> CORE_IS_PURE.check(impure)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("java.time.Instant.now()");
    }

    /** Lives in the core's package only in the test tree, to prove the rule bites. */
    static final class ImpureExample {
        java.time.Instant stamp() {
            return java.time.Instant.now();
        }
    }
}
