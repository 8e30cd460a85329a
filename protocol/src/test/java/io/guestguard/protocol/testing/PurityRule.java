package io.guestguard.protocol.testing;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one architecture rule for every pure core GuestGuard claims (policy-core's decider, the
 * migration watcher's {@code watch/}): no framework (Quarkus, Kafka, SmallRye, CDI), no clock, no
 * randomness, no I/O. Such a core is {@code (state, fact, time) -> (state', effects)} and must
 * replay exactly. Each module's test checks its own package with {@link #check} and proves the rule
 * bites with {@link #assertCatches}, on an impure class kept in its test sources.
 */
public final class PurityRule {

    private PurityRule() {
    }

    /** The rule for the classes in {@code pkg} and below, e.g. {@code io.guestguard.policy.core}. */
    public static ArchRule pure(String pkg, String because) {
        return noClasses()
                .that().resideInAPackage(pkg + "..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.quarkus..", "org.apache.kafka..", "io.smallrye..", "jakarta..", "javax..",
                        "org.eclipse.microprofile..", "java.io..", "java.nio..", "java.net..", "java.sql..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.UUID")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(java.time.Instant.class, "now")
                .because(because);
    }

    /**
     * Checks the main classes (never the tests) of {@code pkg} and below against {@code rule},
     * after making sure they include {@code known}, so that a moved package cannot pass by being empty.
     */
    public static void check(ArchRule rule, String pkg, Class<?> known) {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(pkg);
        assertThat(classes.contain(known)).as("the classes of %s include %s", pkg, known.getName()).isTrue();
        rule.check(classes);
    }

    /** Proves {@code rule} bites: it rejects {@code impure}, naming {@code violation} (e.g. {@code java.time.Instant.now()}). */
    public static void assertCatches(ArchRule rule, Class<?> impure, String... violations) {
        JavaClasses classes = new ClassFileImporter().importClasses(impure);
        var thrown = assertThatThrownBy(() -> rule.check(classes)).isInstanceOf(AssertionError.class);
        for (String violation : violations) {
            thrown.hasMessageContaining(violation);
        }
    }
}
