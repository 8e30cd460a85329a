package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.MetricsPage;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine's health and meters on a real broker: scraped after causing what each counts. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class EngineObservabilityTest {

    private static final String UNREADABLE = "guestguard_dead_letters_total{reason=\"unreadable\",service=\"policy-engine\"}";

    @TestHTTPResource("/q/metrics")
    URI metrics;

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void countsADeadLetterByServiceAndTheKindOfItsReason() throws Exception {
        double before = MetricsPage.scrape(metrics).value(UNREADABLE).orElseThrow(() -> new AssertionError("no " + UNREADABLE));
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.guestLog(), "engine-metrics-dlq", "{]".getBytes(StandardCharsets.UTF_8))).get();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> MetricsPage.scrape(metrics).valueOrZero(UNREADABLE) == before + 1);
        assertThat(MetricsPage.scrape(metrics).value("guestguard_dead_letters_total{reason=\"other\",service=\"policy-engine\"}"))
                .as("every kind is served from the start").isPresent();
    }

    @Test
    void servesEachWatchedHostsBeatAgeOnTheDetectorsClockUntilTheHostLeaves() throws Exception {
        String host = "metrics-host-" + UUID.randomUUID().toString().substring(0, 8);
        String age = "guestguard_host_beat_age_seconds{host=\"" + host + "\"}";
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(hostRecord(host, new Heartbeat("host", host, List.of()))).get();
            // The detector's ticks move its clock past the one beat: the age grows from 0.
            await().atMost(Duration.ofSeconds(60)).until(() -> MetricsPage.scrape(metrics).valueOrZero(age) > 0);

            producer.send(hostRecord(host, new HostLeaving(host))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> !MetricsPage.scrape(metrics).has(age));
        }
    }

    @Test
    void publishesTheFactToDecisionLatencyAsAHistogram() throws Exception {
        String guest = "engine-metrics-latency";
        String count = "guestguard_decision_latency_seconds_count";
        double before = MetricsPage.scrape(metrics).valueOrZero(count);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.guestLog(), guest, codec.encode(CloudEvent.ofGuest(guest + "-f1",
                    "/guest/" + guest + "/reporter", Instant.now(), guest, AppFailed.killed("app1", 11L, "KILL"))))).get();
        }
        // Another test's fact may be decided first: wait for this one's restart, counted with its latency.
        MetricsPage page = await().atMost(Duration.ofSeconds(60)).until(() -> MetricsPage.scrape(metrics),
                p -> p.valueOrZero(count) > before && p.text().contains("guestguard_decisions_total{action=\"RESTART_APP\",reason="));
        assertThat(page.value("guestguard_decision_latency_seconds_bucket{le=\"+Inf\"}")).hasValue(page.valueOrZero(count));
        assertThat(page.text()).contains("guestguard_decision_latency_seconds_bucket{le=\"0.001\"}");
    }

    @Test
    void isLiveAndReadyWhileItsClientRuns() throws Exception {
        for (String check : List.of("/q/health/live", "/q/health/ready")) {
            HttpResponse<String> response = await().atMost(Duration.ofSeconds(60)).until(() -> ServiceHttp.get(metrics.resolve(check)),
                    r -> r.statusCode() == 200);
            assertThat(response.body()).as(check).contains("\"status\": \"UP\"");
        }
    }

    private ProducerRecord<String, byte[]> hostRecord(String host, Payload data) {
        return new ProducerRecord<>(topics.hostHeartbeats(), host, codec.encode(new CloudEvent<>(UUID.randomUUID().toString(),
                "/host/" + host + "/supervisor", Instant.now(), null, null, host, null, data)));
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer());
    }
}
