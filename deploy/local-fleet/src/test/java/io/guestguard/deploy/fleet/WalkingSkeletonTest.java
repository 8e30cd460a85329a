package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RestartApp;
import io.guestguard.cli.GuestGuardCommand;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The walking skeleton end to end, with every part real: a KRaft broker, the policy engine and the
 * guest reporter as their packaged applications in separate JVMs, and a real application killed with
 * SIGKILL. The failure, the decision and the command are read back with plain Kafka consumers, one
 * trace-id through them and the restart's {@code app.started}, and {@code guestguard replay --verify}
 * reproduces the engine's decision exactly, its trace included.
 *
 * <p>Here the fleet runs its own embedded broker. The same steps run on a broker the fleet does not own
 * where a subclass gives its address ({@link #externalBroker()}): {@link WalkingSkeletonOnExternalBrokerTest}
 * one started apart in this JVM, {@code WalkingSkeletonContainerTest} (Maven profile {@code testcontainers})
 * a Kafka in a container.
 */
class WalkingSkeletonTest {

    static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));

    /** The address of the broker the fleet is given ({@link EmbeddedKafka#external}); {@code null}: one of its own. */
    String externalBroker() {
        return null;
    }

    private LocalFleet startFleet(Path runDir) {
        String external = externalBroker();
        return external == null ? LocalFleet.startSingleReporter(HOME, runDir, "3")
                : LocalFleet.startSingleReporter(HOME, runDir, "3", external);
    }

    /**
     * What the closed fleet left of the broker at {@code servers}: of its own broker not even the port; a broker
     * it was given still runs and answers.
     */
    private void assertBrokerAfterClose(String servers) {
        String external = externalBroker();
        if (external == null) {
            int port = Integer.parseInt(servers.substring(servers.indexOf(':') + 1));
            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 500))
                    .as("broker port released").isInstanceOf(java.io.IOException.class);
            return;
        }
        assertThat(servers).isEqualTo(external);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).as("the broker outlives the fleet").isNotEmpty();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the broker at " + servers + " no longer answers after the fleet closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while asking the broker at " + servers, e);
        }
    }

    private final EventCodec codec = new EventCodec();

    @Test
    void aKilledApplicationIsRestartedThroughTheBrokerAndEveryStepIsOnTheLog(@TempDir Path runDir) throws Exception {
        List<ProcessHandle> everything;
        String servers;
        try (LocalFleet fleet = startFleet(runDir);
             TopicReader guestLog = new TopicReader(fleet.bootstrapServers(), fleet.topics().guestLog());
             TopicReader decisions = new TopicReader(fleet.bootstrapServers(), fleet.topics().decisions());
             TopicReader commands = new TopicReader(fleet.bootstrapServers(), fleet.topics().guestCommands())) {
            servers = fleet.bootstrapServers();
            long pid = await().atMost(Duration.ofSeconds(90)).until(() -> startedPid(guestLog.poll()), Optional::isPresent).orElseThrow();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            CloudEvent<?> failure = await().atMost(Duration.ofSeconds(60)).until(() -> guestLog.poll().stream()
                    .map(this::decode).filter(e -> e.data().equals(AppFailed.killed("app1", pid, "KILL"))).findFirst(), Optional::isPresent).orElseThrow();
            CloudEvent<?> restarted = await().atMost(Duration.ofSeconds(60)).until(() -> guestLog.poll().stream().map(this::decode)
                    .filter(e -> e.data() instanceof AppStarted s && s.app().equals("app1") && s.pid() != pid)
                    .findFirst(), Optional::isPresent).orElseThrow();
            long newPid = ((AppStarted) restarted.data()).pid();
            assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
            assertThat(failure.guestId()).isEqualTo("g1");

            CloudEvent<?> decision = await().atMost(Duration.ofSeconds(30)).until(() -> decisions.poll().stream()
                    .map(this::decode).findFirst(), Optional::isPresent).orElseThrow();
            Decision decided = (Decision) decision.data();
            assertThat(decided.action()).isEqualTo(Decision.Action.RESTART_APP);
            assertThat(decided.causeIds()).containsExactly(failure.id());
            assertThat(decided.attempt()).isEqualTo(1);
            // One trace through the chain: the failure starts it, the decision and the command carry it,
            // the start that answers the command continues it (each with a span of its own).
            String trace = failure.traceparent().traceId();
            assertThat(decision.traceparent().traceId()).isEqualTo(trace);
            assertThat(restarted.traceparent().traceId()).isEqualTo(trace);

            List<ConsumerRecord<String, byte[]>> sent = await().atMost(Duration.ofSeconds(30)).until(commands::poll, l -> !l.isEmpty());
            assertThat(sent).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("g1");
                CloudEvent<?> command = decode(record);
                assertThat(command.data()).isEqualTo(new RestartApp("app1", 1, 3, 0L, decision.id()));
                assertThat(decided.commandIds()).containsExactly(command.id());
                assertThat(command.traceparent().traceId()).isEqualTo(trace);
                assertThat(List.of(failure.traceparent().parentId(), decision.traceparent().parentId(),
                        command.traceparent().parentId(), restarted.traceparent().parentId())).doesNotHaveDuplicates();
            });
            StringWriter replayOut = new StringWriter();
            CommandLine cli = new CommandLine(new GuestGuardCommand());
            cli.setOut(new PrintWriter(replayOut, true));
            cli.setErr(new PrintWriter(new StringWriter(), true));
            assertThat(cli.execute("replay", "--verify", "--bootstrap-servers", servers)).as(replayOut.toString()).isZero();
            assertThat(replayOut.toString()).as("the engine's decisions replay exactly").startsWith("1 decisions, 0 differences");
            everything = fleet.services().stream().flatMap(s -> s.processTree().stream()).toList();
            assertThat(everything).hasSizeGreaterThanOrEqualTo(4); // engine, reporter, app1, app2
        }
        assertThat(everything).as("no process left after close").noneMatch(ProcessHandle::isAlive);
        assertBrokerAfterClose(servers);
    }

    private Optional<Long> startedPid(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(this::decode).filter(e -> e.data() instanceof AppStarted s && s.app().equals("app1"))
                .map(e -> ((AppStarted) e.data()).pid()).findFirst();
    }

    private CloudEvent<?> decode(ConsumerRecord<String, byte[]> record) {
        return codec.decode(record.value());
    }
}
