package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged reporter needs no root: run as the unprivileged user {@code nobody} (through
 * util-linux's {@code setpriv} when the tests run as root), it starts an exec application and an
 * unmodified OCF agent and reports both.
 */
class ReporterWithoutRootTest {

    private static final Path JAR = Path.of(System.getProperty("guestguard.home", "../.."))
            .resolve("guest-reporter/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    private static final long NOBODY = 65534;

    @Test
    void startsAndReportsItsApplicationsAsAnUnprivilegedUser() throws Exception {
        Path dir = Files.createTempDirectory("reporter-nobody",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // past the umask
        Path guestFile = Files.writeString(dir.resolve("guest.yaml"), """
                guest: unprivileged-1
                state_dir: state
                applications:
                  - name: web
                    command: sleep 86400
                  - name: dummy
                    kind: ocf
                    agent: ocf:heartbeat:Dummy
                """);
        EventCodec codec = new EventCodec();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1);
             TopicReader log = new TopicReader(kafka.bootstrapServers(), Topics.DEFAULT.guestLog())) {
            List<String> command = new ArrayList<>();
            if (isRoot()) {
                command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Dguestguard.reporter.config-file=" + guestFile, "-Dquarkus.http.port=0", "-jar", JAR.toString()));
            Process reporter = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("reporter.log").toFile()).start();
            try {
                Set<String> started = new CopyOnWriteArraySet<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    log.pollNew(Duration.ofMillis(200)).stream().filter(r -> "unprivileged-1".equals(r.key()))
                            .<CloudEvent<?>>map(r -> codec.decode(r.value()))
                            .filter(e -> e.data() instanceof AppStarted).forEach(e -> started.add(((AppStarted) e.data()).app()));
                    return started.containsAll(Set.of("web", "dummy"));
                });
                if (isRoot()) {
                    assertThat(uidOf(reporter.pid())).as("the reporter's user").isEqualTo(NOBODY);
                    assertThat(Files.getOwner(dir.resolve("state/outbox/outbox.log")).getName()).isEqualTo("nobody");
                }
            } finally {
                reporter.destroy(); // SIGTERM: the reporter stops its applications itself
                reporter.waitFor();
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean isRoot() throws IOException {
        return uidOf(ProcessHandle.current().pid()) == 0;
    }

    /** The real user id of a process, from /proc. */
    private static long uidOf(long pid) throws IOException {
        String uidLine = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("Uid:")).collect(Collectors.joining());
        return Long.parseLong(uidLine.split("\\s+")[1]);
    }
}
