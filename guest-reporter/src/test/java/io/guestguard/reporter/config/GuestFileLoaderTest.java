package io.guestguard.reporter.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestFileLoaderTest {

    private static final Path OCF_ROOT = GuestFileLoader.DEFAULT_OCF_ROOT;

    @TempDir
    Path dir;

    private final GuestFileLoader loader = new GuestFileLoader(OCF_ROOT);

    @Test
    void aMinimalFileGetsTheDefaults() throws IOException {
        GuestSpec spec = loader.load(write("""
                guest: g1
                applications:
                  - name: app1
                    command: sleep 86400
                  - name: web
                    command: "python3 -m http.server 8080"
                """));

        assertThat(spec).isEqualTo(new GuestSpec("g1", Optional.empty(), java.util.Map.of(), dir.resolve("state"), Duration.ofSeconds(1),
                Duration.ofSeconds(5), new GuestSpec.Outbox(10_000, true), List.of(
                new ExecApp("app1", "sleep 86400", Duration.ofSeconds(5), List.of()),
                new ExecApp("web", "python3 -m http.server 8080", Duration.ofSeconds(5), List.of()))));
    }

    @Test
    void readsEverySettingKindAndProbe() throws IOException {
        GuestSpec spec = loader.load(write("""
                guest: g1
                kafka:
                  bootstrap_servers: broker1:9092,broker2:9092
                state_dir: run/g1
                heartbeat_interval: 250ms
                stop_grace: 2s
                outbox: {max_facts: 50, fsync: false}
                applications:
                  - name: web
                    kind: exec
                    command: python3 -m http.server 8080
                    stop_grace: 10s
                    probes:
                      - tcp: {port: 8080}
                      - http: {url: "http://127.0.0.1:8080/health"}
                        interval: 2s
                        timeout: 500ms
                        failure_threshold: 5
                        start_grace: 0s
                  - name: db
                    kind: script
                    start: /opt/db/start.sh
                    stop: /opt/db/stop.sh
                    monitor: /opt/db/monitor.sh
                    monitor_interval: 30s
                    probes:
                      - pidfile: {path: /run/db.pid}
                  - name: dummy
                    kind: ocf
                    agent: heartbeat:Dummy
                    params: {state: /tmp/x.state, fake: 3}
                    stop_timeout: 1m
                """));

        ProbeSpec.Target tcp = new ProbeSpec.Tcp("127.0.0.1", 8080);
        assertThat(spec).isEqualTo(new GuestSpec("g1", Optional.of("broker1:9092,broker2:9092"), java.util.Map.of(), dir.resolve("run/g1"),
                Duration.ofMillis(250), Duration.ofSeconds(2), new GuestSpec.Outbox(50, false), List.of(
                new ExecApp("web", "python3 -m http.server 8080", Duration.ofSeconds(10), List.of(
                        new ProbeSpec(tcp, Duration.ofSeconds(5), Duration.ofSeconds(1), 3, Duration.ofSeconds(10)),
                        new ProbeSpec(new ProbeSpec.Http(URI.create("http://127.0.0.1:8080/health"), 200),
                                Duration.ofSeconds(2), Duration.ofMillis(500), 5, Duration.ZERO))),
                new ScriptApp("db", "/opt/db/start.sh", "/opt/db/stop.sh", "/opt/db/monitor.sh",
                        new ActionTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60)),
                        List.of(new ProbeSpec(new ProbeSpec.Pidfile(Path.of("/run/db.pid")), Duration.ofSeconds(5),
                                Duration.ofSeconds(1), 3, Duration.ofSeconds(10)))),
                new OcfApp("dummy", new OcfAgent(OCF_ROOT, "heartbeat", "Dummy"), Map.of("state", "/tmp/x.state", "fake", "3"),
                        new ActionTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofMinutes(1)),
                        List.of()))));
    }

    @Test
    void kafkaSecurityIsReadRelativeToTheFileAndMadeIntoTheClientsSettings() throws IOException {
        Files.writeString(dir.resolve("kafka.password"), "secret\n");
        Files.writeString(dir.resolve("ca.p12"), "x");
        Path file = write("""
                guest: g1
                kafka:
                  bootstrap_servers: broker1:9093
                  security_protocol: SASL_SSL
                  sasl: {username: guest-g1, password_file: kafka.password}
                  tls: {truststore: ca.p12}
                applications:
                  - name: app1
                    command: sleep 1
                """);

        Map<String, Object> client = loader.load(file).kafka(file, Optional.empty()).properties();

        assertThat(client).containsEntry("bootstrap.servers", "broker1:9093").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.location", dir.resolve("ca.p12").toString())
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"guest-g1\" password=\"secret\";");
    }

    @Test
    void mutualTlsTakesTheKeystoreAndItsPasswordFileRelativeToTheFile() throws IOException {
        Files.writeString(dir.resolve("ca.p12"), "x");
        Files.writeString(dir.resolve("g1.p12"), "x");
        Files.writeString(dir.resolve("g1.p12.password"), "changeit\n");
        Path file = write("""
                guest: g1
                kafka:
                  bootstrap_servers: broker1:9094
                  security_protocol: SSL
                  tls: {truststore: ca.p12, keystore: g1.p12, keystore_password_file: g1.p12.password}
                applications:
                  - name: app1
                    command: sleep 1
                """);

        Map<String, Object> client = loader.load(file).kafka(file, Optional.empty()).properties();

        assertThat(client).containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", dir.resolve("ca.p12").toString())
                .containsEntry("ssl.keystore.location", dir.resolve("g1.p12").toString())
                .containsEntry("ssl.keystore.password", "changeit")
                .doesNotContainKeys("ssl.keystore.password.file", "sasl.mechanism", "sasl.jaas.config");
    }

    @Test
    void aKeystoreAndItsPasswordFileGoTogetherNamedInTheGuestFilesOwnFields() throws IOException {
        Files.writeString(dir.resolve("g1.p12"), "x");
        Files.writeString(dir.resolve("g1.p12.password"), "changeit\n");
        Path noPassword = write("""
                guest: g1
                kafka:
                  security_protocol: SSL
                  tls: {keystore: g1.p12}
                applications:
                  - name: app1
                    command: sleep 1
                """);

        assertThatThrownBy(() -> loader.load(noPassword)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactly(
                        noPassword + ": kafka.tls.keystore_password_file: missing; name a file that holds the password"));

        Path noKeystore = write("""
                guest: g1
                kafka:
                  security_protocol: SSL
                  tls: {keystore_password_file: g1.p12.password}
                applications:
                  - name: app1
                    command: sleep 1
                """);

        assertThatThrownBy(() -> loader.load(noKeystore)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactly(noKeystore + ": kafka.tls.keystore: missing, but "
                        + "kafka.tls.keystore_password_file is set; name the keystore (this client's certificate and key, "
                        + "for mutual TLS) the password is for, or remove the password file"));
    }

    @Test
    void kafkaSecurityProblemsNameTheGuestFilesOwnFields() throws IOException {
        Path file = write("""
                guest: g1
                kafka:
                  security_protocol: SASL_SSL
                  sasl: {user: guest-g1}
                  tls: {truststore: missing.p12}
                applications:
                  - name: app1
                    command: sleep 1
                """);

        assertThatThrownBy(() -> loader.load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).contains(
                        file + ": kafka.sasl.user: unknown field; did you mean username? Known fields here: mechanism, password_file, username",
                        file + ": kafka.sasl.username: missing; security.protocol SASL_SSL needs the SCRAM user's name (and kafka.sasl.password_file)",
                        file + ": kafka.tls.truststore: " + dir.resolve("missing.p12")
                                + " is not a readable file; point it at the truststore (PKCS12 or JKS) holding the cluster's CA certificate"));
    }

    @Test
    void aMisspeltFieldIsNamedWithWhatWasProbablyMeant() throws IOException {
        Path file = write("""
                guest: g1
                heartbeat_intervall: 2s
                applications:
                  - name: app1
                    command: sleep 1
                    stopgrace: 5s
                """);

        assertThatThrownBy(() -> loader.load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactly(
                        file + ": heartbeat_intervall: unknown field; did you mean heartbeat_interval? Known fields here: "
                                + "guest, kafka, state_dir, heartbeat_interval, stop_grace, outbox, applications, trust",
                        file + ": applications[0].stopgrace: unknown field; did you mean stop_grace? Known fields here: "
                                + "name, kind, probes, command, stop_grace"));
    }

    @Test
    void everyProblemNamesTheFileTheFieldAndTheFix() throws IOException {
        Path file = write("""
                guest: "bad id!"
                restarts: 3
                heartbeat_interval: 5
                outbox: {max_facts: 3}
                applications:
                  - name: app1
                    command: sleep 1
                    monitor: /bin/true
                  - name: app1
                    command: ""
                  - command: true
                  - name: db
                    kind: script
                    start: /opt/db/start.sh
                    monitor_timeout: 0s
                  - name: web
                    kind: cgi
                  - name: probed
                    command: sleep 1
                    probes:
                      - tcp: {host: 127.0.0.1}
                        http: {url: "http://x/"}
                      - http: {url: "ftp://x/"}
                      - pidfile: {path: run/app.pid}
                """);

        assertThatThrownBy(() -> loader.load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactlyInAnyOrder(
                        file + ": restarts: unknown field; remove it, or use one of guest, kafka, state_dir, heartbeat_interval, stop_grace, outbox, applications, trust",
                        file + ": guest: 'bad id!' is not a valid name; use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
                        file + ": heartbeat_interval: '5' is not a duration; write a whole number with ms, s, m or h, e.g. 500ms, 30s, 10m, 1h, or remove the line for the default 1s",
                        file + ": outbox.max_facts: '3' is not a whole number from 10 to 2147483647; write one, or remove the line for the default 10000",
                        file + ": applications[0].monitor: unknown field; remove it, or use one of name, kind, probes, command, stop_grace",
                        file + ": applications[1].name: 'app1' is used twice; give each application its own name",
                        file + ": applications[1].command: missing or empty; give the command line that starts the application, e.g. 'sleep 86400'",
                        file + ": applications[2].name: missing; set it to the application's name: 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
                        file + ": applications[2].command: is read as true or false (YAML takes yes, no, on, off, true and false for booleans); put it in quotes",
                        file + ": applications[3].stop: missing or empty; give the command line that stops the application and exits 0 once it stopped, e.g. /opt/db/stop.sh",
                        file + ": applications[3].monitor: missing or empty; give the command line that exits 0 while the application is healthy, e.g. /opt/db/monitor.sh",
                        file + ": applications[3].monitor_timeout: '0s' is too short; use at least 1ms",
                        file + ": applications[4].kind: 'cgi' is not a kind of application; use exec (one long-running command), script (start, stop and monitor command lines) or ocf (an OCF resource agent), or remove the line for exec",
                        file + ": applications[5].probes[0]: has tcp and http; give exactly one of tcp, http or pidfile per probe, e.g. '- tcp: {host: 127.0.0.1, port: 8080}', '- http: {url: http://127.0.0.1:8080/health}' or '- pidfile: {path: /run/app.pid}'",
                        file + ": applications[5].probes[1].http.url: 'ftp://x/' is not an http or https URL; write one with a host, e.g. http://127.0.0.1:8080/health",
                        file + ": applications[5].probes[2].pidfile.path: 'run/app.pid' is not an absolute path; start it with /, e.g. /run/app.pid"));
    }

    @Test
    void ocfParametersAreCheckedAgainstTheAgentsMetaData() throws IOException {
        Path file = write("""
                guest: g1
                applications:
                  - name: sleeper
                    kind: ocf
                    agent: ocf:heartbeat:anything
                    params: {cmdline_options: "1000", colour: blue}
                """);

        assertThatThrownBy(() -> loader.load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactlyInAnyOrder(
                        file + ": applications[0].params.binfile: missing; ocf:heartbeat:anything requires it "
                                + "(Full path name of the binary to be executed); set it under params",
                        file + ": applications[0].params.colour: ocf:heartbeat:anything has no such parameter; remove it or use one of "
                                + "[binfile, cmdline_options, workdir, pidfile, logfile, errlogfile, user, monitor_hook, stop_timeout]"));
    }

    @Test
    void anOcfAgentMustBeNamedWellAndInstalled() throws IOException {
        Path file = write("""
                guest: g1
                applications:
                  - name: a
                    kind: ocf
                    agent: Dummy
                  - name: b
                    kind: ocf
                    agent: ocf:heartbeat:NoSuchAgent
                  - name: c
                    kind: ocf
                """);

        assertThatThrownBy(() -> loader.load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactlyInAnyOrder(
                        file + ": applications[0].agent: 'Dummy' is not an OCF agent name; write ocf:PROVIDER:TYPE, e.g. ocf:heartbeat:Dummy",
                        file + ": applications[1].agent: ocf:heartbeat:NoSuchAgent is not installed: there is no "
                                + OCF_ROOT + "/resource.d/heartbeat/NoSuchAgent; install it (Debian: apt-get install resource-agents), "
                                + "or set OCF_ROOT to where the agents are (now " + OCF_ROOT + ")",
                        file + ": applications[2].agent: missing or empty; name the resource agent, e.g. ocf:heartbeat:Dummy"));
    }

    @Test
    void anAgentWhoseMetaDataFailsOrIsNotExecutableIsReported() throws IOException {
        Path root = dir.resolve("ocf");
        Path provider = Files.createDirectories(root.resolve("resource.d/acme"));
        Files.writeString(provider.resolve("broken"), "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 3\nexit 0\n");
        Files.setPosixFilePermissions(provider.resolve("broken"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(provider.resolve("garbled"), "#!/bin/sh\necho '<resource-agent><parameters>'\n");
        Files.setPosixFilePermissions(provider.resolve("garbled"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(provider.resolve("plain"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(provider.resolve("plain"), PosixFilePermissions.fromString("rw-r--r--"));
        Path file = write("""
                guest: g1
                applications:
                  - {name: a, kind: ocf, agent: "ocf:acme:broken"}
                  - {name: b, kind: ocf, agent: "acme:garbled"}
                  - {name: c, kind: ocf, agent: "acme:plain"}
                """);

        assertThatThrownBy(() -> new GuestFileLoader(root).load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).satisfiesExactlyInAnyOrder(
                        p -> assertThat(p).isEqualTo(file + ": applications[0].agent: ocf:acme:broken cannot be checked: its meta-data "
                                + "action exited with 3; run 'OCF_ROOT=" + root + " " + provider.resolve("broken")
                                + " meta-data' to see why, or choose another agent"),
                        p -> assertThat(p).startsWith(file + ": applications[1].agent: ocf:acme:garbled cannot be checked: its meta-data is not valid XML"),
                        p -> assertThat(p).isEqualTo(file + ": applications[2].agent: " + provider.resolve("plain")
                                + " is not executable; make it so (chmod +x)")));
    }

    @Test
    void brokenYamlDuplicateKeysAndMissingFilesAreReportedWithTheirPath() throws IOException {
        Path broken = write("guest: g1\napplications: [\n");
        assertThatThrownBy(() -> loader.load(broken)).hasMessageContaining(broken + ": not valid YAML at line");

        Path duplicate = write("guest: g1\nguest: g2\napplications: []\n");
        assertThatThrownBy(() -> loader.load(duplicate)).hasMessageContaining(duplicate + ": not valid YAML at line 2")
                .hasMessageContaining("Duplicate field 'guest'");

        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> loader.load(missing)).hasMessageContaining(missing + ": cannot be read")
                .hasMessageContaining("guestguard.reporter.config-file");
    }

    @Test
    void aGuestNeedsApplications() throws IOException {
        Path file = write("guest: g1\n");
        assertThatThrownBy(() -> loader.load(file))
                .hasMessageContaining(file + ": applications: missing or empty; list at least one application");
    }

    @Test
    void trustNamesKeyFilesRelativeToTheFileAndTheRootNeedsTheGuestsKey() throws IOException {
        GuestSpec spec = loader.load(write("guest: g1\ntrust: {root_key_file: keys/root-root.pub, key_file: /etc/guestguard/guest-g1.key}\n"
                + "applications: [{name: a, command: sleep 1}]\n"));
        assertThat(spec.trust()).isEqualTo(new GuestSpec.Trust(Optional.of(dir.resolve("keys/root-root.pub")),
                Optional.of(Path.of("/etc/guestguard/guest-g1.key"))));
        assertThat(loader.load(write("guest: g1\napplications: [{name: a, command: sleep 1}]\n")).trust()).isEqualTo(GuestSpec.Trust.OFF);

        Path noKey = write("guest: g1\ntrust: {root_key_file: root.pub}\napplications: [{name: a, command: sleep 1}]\n");
        assertThatThrownBy(() -> loader.load(noKey)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactly(noKey + ": trust.key_file: missing; give this guest's private key file "
                        + "(guestguard keys create --role guest --name GUEST inside the guest, then register its .pub), "
                        + "or remove trust.root_key_file to run unsigned"));
    }

    @Test
    void theReportersTestGuestFileIsValid() {
        assertThat(loader.load(Path.of("src/test/resources/test-guest.yaml")).applications()).hasSize(2);
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("guest.yaml"), yaml);
    }
}
