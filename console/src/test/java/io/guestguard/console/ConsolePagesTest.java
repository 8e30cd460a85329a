package io.guestguard.console;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's pages and live events over HTTP, on a real broker: what the topics say shows, escaped
 * (a reason text is a tenant's words), a record that does not decode is passed over and counted, a
 * guest nobody knows is a 404, and a new decision reaches a page's event stream.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(TestUsers.class)
class ConsolePagesTest {

    private static final Topics TOPICS = Topics.DEFAULT;
    private static final String HOSTILE = "app1 failed (<img src=x onerror=alert(1)>)";

    @TestHTTPResource("/")
    URI console;

    private final EventCodec codec = new EventCodec();
    private final HttpClient http = ServiceHttp.client();

    @Test
    void showsTheFleetEscapedCountsWhatDoesNotDecodeAndStreamsNewDecisions() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(TOPICS.placements(), "c1", codec.encode(CloudEvent.ofGuest("c1-placement",
                    "/policy-engine", Instant.now(), "c1", new GuestPlacement("h1", 1, PlacementPhase.RUNNING, Map.of("app1", 1)))))).get();
            producer.send(new ProducerRecord<>(TOPICS.decisions(), "c1", codec.encode(decision("c1-d1", HOSTILE)))).get();
            producer.send(new ProducerRecord<>(TOPICS.decisions(), "c1", "not an event".getBytes(StandardCharsets.UTF_8))).get();

            await("the fleet page shows c1").atMost(Duration.ofSeconds(30)).until(() -> get("").body().contains("c1-d1"));
            String page = get("").body();
            assertThat(page).contains("data-guest=\"c1\"").contains("&lt;img src=x onerror=alert(1)&gt;")
                    .doesNotContain("<img src=x").contains("1 records on the topics did not decode");
            assertThat(get("guests/c1").body()).contains("<td class=\"host\">h1</td>").contains("c1-d1");
            assertThat(get("guests/nobody").statusCode()).isEqualTo(404);
            assertThat(get("guests/a..b").statusCode()).as("not a valid name").isEqualTo(404);
            assertThat(get("fragments/fleet").body()).contains("data-guest=\"c1\"").doesNotContain("<html");

            List<String> lines = new CopyOnWriteArrayList<>();
            HttpResponse<java.util.stream.Stream<String>> events = http.send(TestUsers.as(TestUsers.VIEWER, console.resolve("events"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
            Thread reader = new Thread(() -> events.body().forEach(lines::add), "sse-reader");
            reader.setDaemon(true);
            reader.start();
            await("the catch-up sends the newest decisions").atMost(Duration.ofSeconds(10)).until(() -> streamed(lines, "c1-d1"));
            producer.send(new ProducerRecord<>(TOPICS.decisions(), "c1", codec.encode(decision("c1-d2", "app1 failed (SIGKILL)")))).get();
            await("a new decision is streamed").atMost(Duration.ofSeconds(10)).until(() -> streamed(lines, "c1-d2"));
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("data").contains("\"subject\":\"c1/app1\"")
                    .contains("\"action\":\"restart_app\"").contains("app1 failed (SIGKILL)"));
            events.body().close();
        }
    }

    private static boolean streamed(List<String> lines, String id) {
        return lines.stream().anyMatch(l -> l.replace(" ", "").equals("id:" + id));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(TestUsers.as(TestUsers.VIEWER, console.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static CloudEvent<Decision> decision(String id, String reason) {
        return CloudEvent.ofGuest(id, "/policy-engine", Instant.now(), "c1", new Decision(Decision.Action.RESTART_APP, "app1", 1, 2,
                null, null, null, 1L, new Decision.Reason("APP_FAILED_WITHIN_LIMIT", reason), List.of("f-" + id), List.of(), null));
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafkaResource.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }
}
