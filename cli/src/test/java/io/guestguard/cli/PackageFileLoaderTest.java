package io.guestguard.cli;

import io.guestguard.protocol.Durations;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PackageSpec.Backoff;
import io.guestguard.protocol.PackageSpec.FailbackPolicy;
import io.guestguard.protocol.PackageSpec.FailoverPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PackageFileLoaderTest {

    private static final String NAME_RULE = "1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";
    private static final String TOP_FIELDS = "package, hosts, failover_policy, failback_policy, auto_run, wait_for_fence, applications";
    private static final String APP_FIELDS = "name, service_restart, failure_window, backoff";
    private static final String GUEST_FILE = "how an application runs (its kind and command) is set in the guest file its reporter reads (docs/operations.md, \"The guest file\"); ";
    private static final String DURATION = "write a whole number with ms, s, m or h, e.g. 500ms, 30s, 10m, 1h";

    private final PackageFileLoader loader = new PackageFileLoader();

    @Test
    void readsEveryField() {
        PackageSpec spec = loader.load(sample("full.yaml"));

        assertThat(spec).isEqualTo(new PackageSpec("web-01", List.of("h1", "h2", "h3"),
                FailoverPolicy.MIN_PACKAGE_NODE, FailbackPolicy.AUTOMATIC, false, false, List.of(
                new AppPolicy("app1", 5, 3_600_000L, new Backoff(500, 1.5, 60_000)),
                new AppPolicy("app2", null, null, new Backoff(1_000, 2, 30_000)),
                new AppPolicy("app3", 0, 45_000L, new Backoff(0, 2, 30_000)))));
    }

    @Test
    void appliesTheDefaultsToAMinimalFile() {
        PackageSpec spec = loader.load(sample("minimal.yaml"));

        assertThat(spec).isEqualTo(new PackageSpec("g1", List.of("h1"), FailoverPolicy.CONFIGURED_NODE,
                FailbackPolicy.MANUAL, true, true, List.of(
                new AppPolicy("app1", 3, 600_000L, new Backoff(0, 2, 30_000)))));
        assertThat(spec.applications().get(0).backoff().delayMs(5)).as("the default restarts at once").isZero();
    }

    @Test
    void theDocumentedExampleIsValid() {
        Path example = Path.of(System.getProperty("guestguard.home", ".."), "deploy", "packages", "g1.yaml");

        PackageSpec spec = loader.load(example);

        assertThat(spec).isEqualTo(new PackageSpec("g1", List.of("primary", "standby"), FailoverPolicy.CONFIGURED_NODE,
                FailbackPolicy.MANUAL, true, true, List.of(
                new AppPolicy("app1", 3, 600_000L, new Backoff(1_000, 2, 30_000)),
                new AppPolicy("app2", 3, 600_000L, new Backoff(0, 2, 30_000)))));
    }

    @Test
    void reportsEveryMistakeInFieldOrder() {
        Path file = sample("mistakes.yaml");

        assertThat(problems(file)).containsExactly(
                file + ": node_name: unknown field; GuestGuard calls Serviceguard's node_name 'hosts'. Known fields here: " + TOP_FIELDS,
                file + ": failovr_policy: unknown field; did you mean failover_policy? Known fields here: " + TOP_FIELDS,
                file + ": service_restart: unknown field; service_restart is set on each application, under applications. Known fields here: " + TOP_FIELDS,
                file + ": package: 'g 1' is not a valid name; use " + NAME_RULE,
                file + ": hosts[2]: 'h1' is listed twice; list each host once",
                file + ": hosts[3]: is read as true or false (YAML takes yes, no, on, off, true and false for booleans); put the name in quotes",
                file + ": failover_policy: 'nearest' is not a failover policy; use configured_node or min_package_node",
                file + ": failback_policy: 'AUTOMATIC' is not a failback policy; use manual or automatic",
                file + ": auto_run: 'maybe' is not true or false; write true or false, or remove the line for the default true",
                file + ": wait_for_fence: '1' is not true or false; write true or false, or remove the line for the default true",
                file + ": applications[0].kind: unknown field; " + GUEST_FILE + "remove kind here. Known fields here: " + APP_FIELDS,
                file + ": applications[0].command: unknown field; " + GUEST_FILE + "remove command here. Known fields here: " + APP_FIELDS,
                file + ": applications[0].service_restart: '-1' is not a restart limit; use none, a number of restarts (0 or more) or unlimited",
                file + ": applications[0].failure_window: '600' is not a duration; " + DURATION + ", or never",
                file + ": applications[0].backoff.jitter: unknown field; remove it, or use one of initial, factor, max",
                file + ": applications[0].backoff.factor: '0.5' would make each delay shorter than the one before; use 1 for a constant delay, or more to grow it, e.g. 2",
                file + ": applications[0].backoff.max: '5s' is shorter than initial '10s'; set max to 10s or more",
                file + ": applications[1].command: unknown field; " + GUEST_FILE + "remove command here. Known fields here: " + APP_FIELDS,
                file + ": applications[1].restarts: unknown field; did you mean service_restart? Known fields here: " + APP_FIELDS,
                file + ": applications[1].name: 'app1' is used twice; give each application its own name",
                file + ": applications[1].service_restart: 'lots' is not a restart limit; use none, a number of restarts (0 or more) or unlimited",
                file + ": applications[1].failure_window: '0s' would forget every failure at once; use a duration above 0, or never (for restarts without a limit, write service_restart: unlimited)",
                file + ": applications[2].command: unknown field; " + GUEST_FILE + "remove command here. Known fields here: " + APP_FIELDS,
                file + ": applications[2].name: missing; set it to the application's name: " + NAME_RULE,
                file + ": applications[2].backoff.max: the default 30s is shorter than initial '1m'; set max to 1m or more",
                file + ": applications[3]: 'just-a-string' is not a mapping; give the application at least 'name:'");
    }

    @Test
    void reportsEachMissingRequiredField() {
        Path file = sample("missing.yaml");

        assertThat(problems(file)).containsExactly(
                file + ": package: missing; set it to the guest id: " + NAME_RULE,
                file + ": hosts: missing; list the hosts the guest may run on, most preferred first, e.g. [primary, standby]",
                file + ": applications: missing; list at least one application by the name its guest file gives it");
    }

    @Test
    void reportsValuesOfTheWrongShape() {
        Path file = sample("shapes.yaml");

        assertThat(problems(file)).containsExactly(
                file + ": package: a list is not a valid name; use " + NAME_RULE,
                file + ": hosts: 'h1' is not a list; write the hosts as a list, most preferred first, e.g. [primary, standby]",
                file + ": auto_run: has no value; write true or false, or remove the line for the default true",
                file + ": applications: a mapping is not a list; write each application as a list item ('- name: ...')");
    }

    @Test
    void reportsValuesOfTheWrongShapeInsideApplications() {
        Path file = sample("shapes-in-app.yaml");

        assertThat(problems(file)).containsExactly(
                file + ": hosts: empty; list at least one host the guest may run on, e.g. [primary, standby]",
                file + ": applications[0].service_restart: has no value; use none, a number of restarts (0 or more) or unlimited, or remove the line for the default 3",
                file + ": applications[0].failure_window: '10 minutes' is not a duration; " + DURATION + ", or never",
                file + ": applications[0].backoff: a list is not a mapping; give initial, factor and max, e.g. {initial: 1s, factor: 2, max: 30s}, or remove the line to restart at once",
                file + ": applications[1].backoff.initial: 'soon' is not a duration; " + DURATION,
                file + ": applications[1].backoff.factor: 'two' is not a number; write a number of at least 1, e.g. 2",
                file + ": applications[1].backoff.max: '1.5s' is not a duration; " + DURATION);
    }

    @Test
    void reportsBrokenYamlWithItsLine() {
        Path file = sample("broken.yaml");

        assertThat(problems(file)).containsExactly(file + ": not valid YAML at line 3: expected ',' or ']', but got : "
                + "(while parsing a flow sequence from line 2); fix the syntax");
    }

    @Test
    void refusesADuplicatedKeyInsteadOfKeepingTheLastOne() {
        Path file = sample("duplicate-key.yaml");

        assertThat(problems(file)).containsExactly(file + ": not valid YAML at line 3: Duplicate field 'hosts'; fix the syntax");
    }

    @Test
    void reportsAMissingFileWithItsPath() {
        Path file = Path.of("no-such-dir", "g9.yaml");

        assertThat(problems(file)).containsExactly(file + ": no such file; check the path (an example is deploy/packages/g1.yaml)");
    }

    @Test
    void reportsAnEmptyFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("empty.yaml"), "# nothing yet\n");

        assertThat(problems(file)).containsExactly(file + ": is empty or not a mapping; "
                + "write at least 'package: ID', a 'hosts:' list and an 'applications:' list");
    }

    @Test
    void readsDurationsInEveryUnit() {
        assertThat(Durations.parseMillis("500ms")).hasValue(500);
        assertThat(Durations.parseMillis("30s")).hasValue(30_000);
        assertThat(Durations.parseMillis("10m")).hasValue(600_000);
        assertThat(Durations.parseMillis("1h")).hasValue(3_600_000);
        assertThat(Durations.parseMillis("10")).isEmpty();
        assertThat(Durations.parseMillis("1.5s")).isEmpty();
        assertThat(Durations.parseMillis("-1s")).isEmpty();
        assertThat(Durations.parseMillis("99999999999999999h")).as("overflow").isEmpty();
    }

    static List<String> problems(Path file) {
        InvalidPackageException e = catchThrowableOfType(InvalidPackageException.class, () -> new PackageFileLoader().load(file));
        assertThat(e).as("loading %s fails", file).isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join(System.lineSeparator(), e.problems()));
        return e.problems();
    }

    static Path sample(String name) {
        try {
            return Path.of(PackageFileLoaderTest.class.getResource("/packages/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
