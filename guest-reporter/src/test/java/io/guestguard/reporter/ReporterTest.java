package io.guestguard.reporter;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.MetricsPage;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.GuestCommand;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StopApp;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.Topics;
import io.guestguard.reporter.app.Reporter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reporter against a real broker, with real applications from src/test/resources/test-guest.yaml. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(value = TestGuestResource.class, restrictToAnnotatedClass = true) // ReporterTrustTest runs another guest
class ReporterTest {

    private static final String GUEST = "reporter-test";
    private static final String APPLIED = "guestguard_reporter_commands_total{kind=\"restart-app\",outcome=\"applied\"}";
    private static final String REFUSED = "guestguard_reporter_commands_total{kind=\"restart-app\",outcome=\"refused\"}";

    @Inject
    Reporter reporter;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void reportsAKillAndObeysOnlyTheCommandsAddressedToItsGuest() throws Exception {
        long pid = runningPid("app1");
        try (TopicReader guestLog = new TopicReader(servers, topics.guestLog());
             KafkaProducer<String, byte[]> producer = producer()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> facts(guestLog.poll()).contains(new AppStarted("app1", pid)));

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> facts(guestLog.poll()).contains(AppFailed.killed("app1", pid, "KILL")));

            Traceparent failedTrace = traceOf(guestLog.poll(), AppFailed.killed("app1", pid, "KILL"));
            assertThat(failedTrace).as("a failure starts a trace").isNotNull();

            Traceparent restartTrace = Traceparent.start();
            producer.send(new ProducerRecord<>(topics.guestCommands(), "another-guest", restart("app1", Traceparent.start()))).get();
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, restart("app1", restartTrace))).get();

            long newPid = await().atMost(Duration.ofSeconds(30)).until(() -> reporter.supervisor().pid("app1").orElse(0L), p -> p > 0);
            assertThat(newPid).isNotEqualTo(pid);
            await().atMost(Duration.ofSeconds(30)).until(() -> facts(guestLog.poll()).contains(new AppStarted("app1", newPid)));
            assertThat(facts(guestLog.poll()).stream().filter(f -> f instanceof AppStarted s && s.app().equals("app1")))
                    .as("the command for another guest was not applied").hasSize(2);
            Traceparent startedTrace = traceOf(guestLog.poll(), new AppStarted("app1", newPid));
            assertThat(startedTrace.traceId()).as("the start answering the restart continues its trace").isEqualTo(restartTrace.traceId());
            assertThat(startedTrace.parentId()).isNotEqualTo(restartTrace.parentId());
            assertThat(failedTrace.traceId()).isNotEqualTo(restartTrace.traceId());
        }
    }

    @Test
    void aBadCommandIsDeadLetteredAndTheNextOneIsApplied() throws Exception {
        MetricsPage before = await().atMost(Duration.ofSeconds(30)).until(() -> MetricsPage.scrape(metrics()), p -> p.has(APPLIED));
        byte[] unknownApp = restart("no-such-app");
        byte[] garbage = "{]".getBytes(StandardCharsets.UTF_8);
        try (TopicReader deadLetters = new TopicReader(servers, topics.deadLetter());
             KafkaProducer<String, byte[]> producer = producer()) {
            long pid = runningPid("app2");
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, garbage)).get();
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, unknownApp)).get();
            // A command id holding a newline once made the journal throw outside the listener's guard.
            String restartJson = new String(restart("app2"), StandardCharsets.UTF_8);
            String id = codec.decode(restart("app2")).id();
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, restartJson.replaceFirst(
                    "\"id\":\"[^\"]+\"", "\"id\":\"" + id + "\\\\nforged\"").getBytes(StandardCharsets.UTF_8))).get();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> reporter.supervisor().pid("app2").isEmpty());
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, restart("app2"))).get();

            List<String> reasons = await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.poll().stream()
                    .filter(r -> GUEST.equals(r.key()))
                    .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                    .toList(), r -> r.size() == 3);
            assertThat(reasons.get(0)).startsWith("malformed JSON");
            assertThat(reasons.get(1)).isEqualTo("guest reporter-test has no application 'no-such-app'");
            assertThat(reasons.get(2)).contains("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> reporter.supervisor().pid("app2").isPresent());
        }
        // On /q/metrics: the commands by kind and outcome, the restart by application, the dead letters by reason.
        MetricsPage after = await().atMost(Duration.ofSeconds(30)).until(() -> MetricsPage.scrape(metrics()),
                p -> p.valueOrZero(APPLIED) == before.valueOrZero(APPLIED) + 1);
        assertThat(after.valueOrZero(REFUSED)).as("the unknown application").isEqualTo(before.valueOrZero(REFUSED) + 1);
        assertThat(after.valueOrZero("guestguard_app_restarts_total{app=\"app2\"}"))
                .isEqualTo(before.valueOrZero("guestguard_app_restarts_total{app=\"app2\"}") + 1);
        assertThat(after.valueOrZero("guestguard_reporter_restarts_total")).as("all applications' restarts")
                .isEqualTo(before.valueOrZero("guestguard_reporter_restarts_total") + 1);
        for (String reason : List.of("unreadable", "invalid", "refused")) {
            String series = "guestguard_dead_letters_total{reason=\"" + reason + "\",service=\"guest-reporter\"}";
            assertThat(after.valueOrZero(series)).as(reason).isEqualTo(before.valueOrZero(series) + 1);
        }
        assertThat(after.value("guestguard_reporter_commands_total{kind=\"rebind\",outcome=\"applied\"}")).isPresent();
    }

    @Test
    void everyFactCarriesTheNextSequenceNumberStartingWithReporterStarted() {
        try (TopicReader guestLog = new TopicReader(servers, topics.guestLog())) {
            List<CloudEvent<?>> facts = await().atMost(Duration.ofSeconds(30))
                    .until(() -> events(guestLog.poll()), f -> f.size() >= 3);
            assertThat(facts.get(0).data()).isEqualTo(new ReporterStarted(0, 0));
            for (int i = 0; i < facts.size(); i++) {
                assertThat(facts.get(i).guestSeq()).as("fact %d: %s", i, facts.get(i).data()).isEqualTo(i + 1L);
            }
        }
    }

    @Test
    void anOperatorStopIsReportedAsStoppedAndAStartBringsTheApplicationBack() throws Exception {
        try (TopicReader guestLog = new TopicReader(servers, topics.guestLog());
             KafkaProducer<String, byte[]> producer = producer()) {
            long pid = runningPid("app2");
            producer.send(command(new StopApp("app2", "op-stop"))).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> facts(guestLog.poll()).contains(new AppStopped("app2", pid)));
            assertThat(reporter.supervisor().isRunning("app2")).isFalse();
            assertThat(facts(guestLog.poll())).as("a stop is not a failure")
                    .noneMatch(f -> f instanceof AppFailed failed && failed.app().equals("app2") && failed.pid() == pid);

            producer.send(command(new StartApp("app2", "op-start"))).get();
            long newPid = runningPid("app2");
            assertThat(newPid).isNotEqualTo(pid);
            await().atMost(Duration.ofSeconds(30)).until(() -> facts(guestLog.poll()).contains(new AppStarted("app2", newPid)));
        }
    }

    @Test
    void aRebindIsAnsweredWithReboundAndTheNextSequenceNumber() throws Exception {
        try (TopicReader guestLog = new TopicReader(servers, topics.guestLog());
             KafkaProducer<String, byte[]> producer = producer()) {
            ProducerRecord<String, byte[]> rebind = command(new Rebind("h2", 4, "migration-1"));
            producer.send(rebind).get();

            String rebindId = codec.decode(rebind.value()).id();
            CloudEvent<?> answer = await().atMost(Duration.ofSeconds(30)).until(() -> events(guestLog.poll()).stream()
                    .filter(e -> e.data() instanceof Rebound r && r.rebindId().equals(rebindId)).findFirst(), Optional::isPresent).get();
            Rebound rebound = (Rebound) answer.data();
            assertThat(rebound.host()).isEqualTo("h2");
            assertThat(rebound.epoch()).isEqualTo(4);
            assertThat(rebound.nextSeq()).as("the answer's own seq is the last one given").isEqualTo(answer.guestSeq() + 1);
            assertThat(rebound.resent()).isZero(); // Kafka had every fact
            assertThat(rebound.clientsRecreated()).isFalse();
        }
    }

    @Test
    void beatsForItsGuestAtTheConfiguredInterval() {
        try (TopicReader heartbeats = new TopicReader(servers, topics.heartbeats())) {
            List<CloudEvent<?>> beats = await().atMost(Duration.ofSeconds(30)).until(() -> heartbeats.poll().stream()
                    .filter(r -> GUEST.equals(r.key())).<CloudEvent<?>>map(r -> codec.decode(r.value())).toList(), b -> b.size() >= 3);
            assertThat(beats).allSatisfy(b -> assertThat(b.data()).isEqualTo(new Heartbeat("guest", GUEST, List.of())));
            assertThat(beats.get(2).time()).isAfter(beats.get(0).time());
        }
    }

    @Test
    void isReadyWhileItsFactsReachKafka() throws Exception {
        HttpResponse<String> response = await().atMost(Duration.ofSeconds(30)).until(() -> ServiceHttp.get(ready),
                r -> r.statusCode() == 200);
        assertThat(response.body()).contains("\"name\": \"guest-reporter\"").contains("\"status\": \"UP\"");
        assertThat(reporter.troubles()).isEmpty();
    }

    @Test
    void servesItsOutboxAndItsRestartsAsMetrics() throws Exception {
        URI metrics = ready.resolve("/q/metrics");
        double before = series(ServiceHttp.get(metrics).body(), "guestguard_reporter_restarts_total");
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, restart("app1"))).get();
        }
        String page = await().atMost(Duration.ofSeconds(30)).until(() -> ServiceHttp.get(metrics).body(),
                body -> series(body, "guestguard_reporter_restarts_total") == before + 1);
        assertThat(page).contains("guestguard_reporter_outbox_facts ").contains("guestguard_reporter_outbox_oldest_age_seconds ")
                .contains("guestguard_reporter_outbox_dropped_total 0.0");
    }

    @Test
    void isNotReadyWhileKafkaAcknowledgesNoFactButStaysLiveAndIsReadyAgainOnceItDoes() throws Exception {
        URI live = ready.resolve("/q/health/live");
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceHttp.get(ready).statusCode() == 200);
        long pid = await().atMost(Duration.ofSeconds(60)).until(() -> reporter.supervisor().pid("app2"), Optional::isPresent).get();
        EmbeddedKafkaResource.broker().stop();
        try {
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // a fact that waits for Kafka
            HttpResponse<String> down = await().atMost(Duration.ofSeconds(60)).until(() -> ServiceHttp.get(ready),
                    r -> r.statusCode() == 503);
            assertThat(down.body()).contains("no acknowledgement from Kafka for").contains("guestguard.reporter.ready-ack-timeout");
            assertThat(ServiceHttp.get(live).statusCode()).as("Kafka away is no reason to restart the reporter").isEqualTo(200);
        } finally {
            EmbeddedKafkaResource.broker().restart();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceHttp.get(ready).statusCode() == 200);
        assertThat(ServiceHttp.get(live).body()).contains("\"name\": \"guest-reporter\"").contains("\"status\": \"UP\"");
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, restart("app2"))).get(); // as the engine would: the other tests want it running
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> reporter.supervisor().pid("app2"), Optional::isPresent);
    }

    private URI metrics() {
        return ready.resolve("/q/metrics");
    }

    /** The value of one series on a Prometheus page (-1 when absent). */
    private static double series(String page, String name) {
        return page.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).strip()))
                .findFirst().orElse(-1);
    }

    private long runningPid(String app) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> reporter.supervisor().pid(app), Optional::isPresent).get();
    }

    private List<CloudEvent<?>> events(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> GUEST.equals(r.key())).<CloudEvent<?>>map(r -> codec.decode(r.value())).toList();
    }

    private ProducerRecord<String, byte[]> command(GuestCommand command) {
        return new ProducerRecord<>(topics.guestCommands(), GUEST, codec.encode(CloudEvent.ofGuest(
                UUID.randomUUID().toString(), "/test", Instant.now(), GUEST, command)));
    }

    private List<Payload> facts(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> GUEST.equals(r.key())).map(r -> (Payload) codec.decode(r.value()).data()).toList();
    }

    private byte[] restart(String app) {
        return restart(app, null);
    }

    private byte[] restart(String app, Traceparent trace) {
        return codec.encode(CloudEvent.ofGuest(UUID.randomUUID().toString(), "/test", Instant.now(), GUEST,
                new RestartApp(app, 1, 3, 0L, "decision-test")).withTraceparent(trace));
    }

    /** The trace of this guest's fact {@code fact} among {@code records}. */
    private Traceparent traceOf(List<ConsumerRecord<String, byte[]>> records, Payload fact) {
        return records.stream().filter(r -> GUEST.equals(r.key())).map(r -> codec.decode(r.value()))
                .filter(e -> e.data().equals(fact)).findFirst().orElseThrow().traceparent();
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer());
    }
}
