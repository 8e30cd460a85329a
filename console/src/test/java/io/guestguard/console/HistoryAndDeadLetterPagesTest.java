package io.guestguard.console;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.history.GuestRecords;
import io.guestguard.protocol.history.LoggedEvent;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead-letter page and a guest's history page over HTTP, on a real broker: letters filtered by
 * reason and service, escaped, and streamed as {@code dead-letter} events; a decision's cause link in
 * the timeline lands on its fact's anchor in the guest's history, where the fact shows the decision
 * it caused and the command it sent with what became of it, and a fact the engine refused is marked
 * with its reason; a history reads the guest's newest records only.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(TestUsers.class)
class HistoryAndDeadLetterPagesTest {

    private static final Topics TOPICS = Topics.DEFAULT;
    private static final String HOSTILE = "not authorized: <script>alert(1)</script>";

    @TestHTTPResource("/")
    URI console;

    private final EventCodec codec = new EventCodec();
    private final HttpClient http = ServiceHttp.client();

    @Test
    void theDeadLetterPageShowsFiltersEscapesAndStreamsTheLetters() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            byte[] forged = codec.encode(CloudEvent.ofGuest("dl-forged", "/kcat", Instant.now(), "dl1", new HostLost("primary")));
            producer.send(DeadLetter.record(TOPICS.deadLetter(), "dl1", forged, "unsigned: the event has no dssematerial",
                    TOPICS.guestLog(), 2, 17, "policy-engine")).get();
            producer.send(DeadLetter.record(TOPICS.deadLetter(), "dl1", "{not json".getBytes(StandardCharsets.UTF_8), HOSTILE,
                    TOPICS.guestCommands(), 1, 5, "guest-reporter")).get();

            await("both letters on the page").atMost(Duration.ofSeconds(30)).until(() -> letterRows(get("dead-letters").body()) >= 2);
            String all = get("dead-letters").body();
            assertThat(all).contains("guestguard.guest-log.v1-2@17").contains("host.lost").contains("dl-forged")
                    .contains("href=\"/guests/dl1/history\"").contains("does not decode")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)");

            String unsigned = get("dead-letters?reason=UNSIGNED").body();
            assertThat(unsigned).contains("dl-forged").doesNotContain("guest-commands.v1-1@5");
            assertThat(letterRows(unsigned)).isEqualTo(1);
            String byReporter = get("dead-letters?service=guest-reporter").body();
            assertThat(byReporter).contains("guest-commands.v1-1@5").doesNotContain("dl-forged")
                    .contains("<option value=\"guest-reporter\" selected>");
            assertThat(letterRows(byReporter)).isEqualTo(1);
            assertThat(letterRows(get("dead-letters?service=guest-reporter&reason=unsigned").body())).isZero();

            List<String> lines = new CopyOnWriteArrayList<>();
            HttpResponse<java.util.stream.Stream<String>> events = http.send(TestUsers.as(TestUsers.VIEWER, console.resolve("events"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
            Thread reader = new Thread(() -> events.body().forEach(lines::add), "sse-reader");
            reader.setDaemon(true);
            reader.start();
            await("the catch-up sends the newest letters").atMost(Duration.ofSeconds(10))
                    .until(() -> lines.stream().anyMatch(l -> l.contains("\"eventId\":\"dl-forged\"")));
            RecordMetadata third = producer.send(DeadLetter.record(TOPICS.deadLetter(), "dl1", forged, "replayed: event dl-forged was read before",
                    TOPICS.guestLog(), 2, 18, "migration-watcher")).get();
            String id = TOPICS.deadLetter() + "-" + third.partition() + "@" + third.offset();
            await("a new letter is streamed as a dead-letter event").atMost(Duration.ofSeconds(10))
                    .until(() -> lines.stream().anyMatch(l -> l.replace(" ", "").equals("id:" + id)));
            int at = lines.indexOf(lines.stream().filter(l -> l.replace(" ", "").equals("id:" + id)).findFirst().orElseThrow());
            assertThat(lines.subList(Math.max(0, at - 2), Math.min(lines.size(), at + 3)))
                    .anySatisfy(l -> assertThat(l.replace(" ", "")).isEqualTo("event:dead-letter"))
                    .anySatisfy(l -> assertThat(l).contains("\"service\":\"migration-watcher\"").contains("\"origin\":\"guestguard.guest-log.v1-2@18\""));
            events.body().close();
        }
    }

    @Test
    void aCauseLinkLandsOnItsFactInTheGuestsHistoryWithWhatFollowedFromIt() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            Instant now = Instant.now();
            // One trace from the kill to the restart: the fact starts it, the decision and its command carry it, the answer continues it.
            Traceparent trace = Traceparent.start();
            send(producer, TOPICS.guestLog(), "hist1", CloudEvent.ofGuest("hist1-failed", "/guest/hist1/reporter", now, "hist1",
                    new AppFailed("app1", 4242L, null, "KILL", null, null)).withTraceparent(trace));
            send(producer, TOPICS.placements(), "hist1", CloudEvent.ofGuest("placement-hist1-failed", "/policy-engine", now, "hist1",
                    new GuestPlacement("primary", 1, PlacementPhase.RUNNING, Map.of("app1", 1))));
            send(producer, TOPICS.decisions(), "hist1", CloudEvent.ofGuest("hist1-restart", "/policy-engine", now, "hist1",
                    new Decision(Decision.Action.RESTART_APP, "app1", 1, 2, 0L, null, null, 1L,
                            new Decision.Reason("APP_FAILED_WITHIN_LIMIT", "app1 failed (SIGKILL), restart 1 of 2"),
                            List.of("hist1-failed"), List.of("hist1-restart-cmd"), Map.of())).withTraceparent(trace.derived("hist1-restart")));
            send(producer, TOPICS.guestCommands(), "hist1", CloudEvent.ofGuest("hist1-restart-cmd", "/policy-engine", now, "hist1",
                    new RestartApp("app1", 1, 2, 0, "hist1-restart")).withTraceparent(trace.derived("hist1-restart-cmd")));
            send(producer, TOPICS.guestLog(), "hist1", CloudEvent.ofGuest("hist1-started", "/guest/hist1/reporter", now.plusMillis(5),
                    "hist1", new AppStarted("app1", 4250L)).withTraceparent(trace.derived("hist1-restart-cmd").child()));
            RecordMetadata forged = send(producer, TOPICS.guestLog(), "hist1", CloudEvent.ofGuest("hist1-forged", "/kcat",
                    now.plusMillis(6), "hist1", new HostLost("primary")));
            producer.send(DeadLetter.record(TOPICS.deadLetter(), "hist1", new byte[0], "unsigned: the event has no dssematerial",
                    TOPICS.guestLog(), forged.partition(), forged.offset(), "policy-engine")).get();
            send(producer, TOPICS.decisions(), "hist1", CloudEvent.ofGuest("hist1-old-alert", "/policy-engine", now.minusSeconds(60), "hist1",
                    new Decision(Decision.Action.ALERT, null, null, null, null, null, null, 1L,
                            new Decision.Reason("NO_ELIGIBLE_HOST", "no host can run hist1"), List.of("hist1-ancient"), List.of(), Map.of())));
            send(producer, TOPICS.guestLog(), "hist1", CloudEvent.ofGuest("hist1-halted", "/host/primary/supervisor", now.plusMillis(7),
                    "hist1", new GuestHalted("primary")));
            send(producer, TOPICS.decisions(), "hist1", CloudEvent.ofGuest("hist1-start", "/policy-engine", now.plusMillis(7), "hist1",
                    new Decision(Decision.Action.START_GUEST, null, null, null, null, "primary", "standby", 2L,
                            new Decision.Reason("FAILOVER_TARGET", "start it on standby as epoch 2"), List.of("hist1-halted"),
                            List.of("hist1-start-cmd"), Map.of())));
            // Host commands are keyed by host: hist1's is read from standby's partition, another guest's there is not shown.
            send(producer, TOPICS.hostCommands(), "standby", CloudEvent.ofGuest("hist1-start-cmd", "/policy-engine", now, "hist1",
                    new StartGuest("hist1", "standby", 2, "hist1-start")));
            send(producer, TOPICS.hostCommands(), "standby", CloudEvent.ofGuest("hist2-start-cmd", "/policy-engine", now, "hist2",
                    new StartGuest("hist2", "standby", 2, "hist2-start")));
            // Another guest's fact on the log, perhaps on the same partition: not in hist1's history.
            send(producer, TOPICS.guestLog(), "hist2", CloudEvent.ofGuest("hist2-failed", "/guest/hist2/reporter", now, "hist2",
                    new AppFailed("app1", 1L, null, "SIGKILL", null, null)));

            String link = "href=\"/guests/hist1/history#hist1-failed\"";
            await("the decision in the timeline, with its cause link").atMost(Duration.ofSeconds(30)).until(() -> get("").body().contains(link));
            assertThat(get("guests/hist1").body()).contains(link).contains("href=\"/guests/hist1/history\"");

            HttpResponse<String> page = get("guests/hist1/history");
            assertThat(page.statusCode()).isEqualTo(200);
            String history = page.body();
            String fact = element(history, "li", "hist1-failed");
            assertThat(fact).contains("app.failed").contains("hist1/app1").contains("failed (SIGKILL, pid 4242)")
                    .contains("id=\"hist1-restart\"").contains("restart_app").contains("<a class=\"cause\" href=\"#hist1-failed\">app.failed hist1-failed</a>")
                    .contains("id=\"hist1-restart-cmd\"").contains("restart-app app1")
                    .contains("<span class=\"outcome\">applied</span>: <a href=\"#hist1-started\">started (pid 4250)</a>")
                    .contains("id=\"placement-hist1-failed\"").contains("epoch 1: RUNNING on primary");
            assertThat(element(history, "li", "hist1-forged")).contains("class=\"fact refused\"")
                    .contains("refused by the policy engine: unsigned: the event has no dssematerial");
            assertThat(element(history, "ul", "uncaused")).contains("id=\"hist1-old-alert\"").contains("no host can run hist1")
                    .contains("<code class=\"cause\">hist1-ancient</code> (not among the facts read)");
            assertThat(element(history, "li", "hist1-start-cmd")).contains("start-guest on standby")
                    .contains("<span class=\"outcome\">pending</span>");
            assertThat(history).doesNotContain("hist2-failed").doesNotContain("hist2-start-cmd");
            assertThat(history.indexOf("id=\"hist1-forged\"")).as("newest first").isLessThan(history.indexOf("id=\"hist1-failed\""));

            String traceLink = "href=\"/guests/hist1/history?trace=" + trace.traceId() + "#hist1-restart\"";
            assertThat(get("").body()).as("the decision's trace link in the timeline").contains(traceLink);
            assertThat(markedRows(history)).as("nothing marked without ?trace=").isZero();
            assertThat(history).doesNotContain("id=\"marked\"");
            String marked = get("guests/hist1/history?trace=" + trace.traceId()).body();
            assertThat(marked).contains("id=\"marked\"");
            assertThat(markedRows(marked)).as("the fact, its decision, its command and the fact that answered it").isEqualTo(4);
            for (String id : List.of("hist1-failed", "hist1-restart", "hist1-restart-cmd", "hist1-started")) {
                assertThat(opening(marked, id)).as(id + " is of the trace").contains("intrace").contains(trace.traceId());
            }
            assertThat(opening(marked, "hist1-forged")).as("a fact of no trace").doesNotContain("intrace");
            assertThat(opening(marked, "hist1-start")).as("a decision of no trace").doesNotContain("intrace");
            assertThat(get("guests/hist1/history?trace=not-a-trace%22%3E%3Cb%3E").body()).as("a bad trace is ignored")
                    .doesNotContain("id=\"marked\"").doesNotContain("&lt;b&gt;");

            assertThat(get("guests/nobody-at-all/history").statusCode()).isEqualTo(404);
            assertThat(get("guests/a..b/history").statusCode()).as("not a valid name").isEqualTo(404);
        }
    }

    @Test
    void aHistoryKeepsTheGuestsNewestRecordsOnly() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            Instant now = Instant.now();
            for (int i = 0; i < 6; i++) {
                send(producer, TOPICS.guestLog(), "bound1", CloudEvent.ofGuest("bound1-f" + i, "/guest/bound1/reporter", now.plusMillis(i),
                        "bound1", new AppStarted("app1", 100L + i)));
            }
        }
        GuestRecords.Read read = new GuestRecords(KafkaClientSettings.plaintext(EmbeddedKafkaResource.broker().bootstrapServers()),
                TOPICS, new GuestRecords.Bounds(10_000, 3), Duration.ofSeconds(10)).read("bound1");
        assertThat(read.chain().steps()).extracting(s -> s.fact().event().id()).containsExactly("bound1-f3", "bound1-f4", "bound1-f5");
        assertThat(read.earlier()).isTrue();

        GuestRecords.Read all = new GuestRecords(KafkaClientSettings.plaintext(EmbeddedKafkaResource.broker().bootstrapServers()),
                TOPICS, new GuestRecords.Bounds(10_000, 10), Duration.ofSeconds(10)).read("bound1");
        assertThat(all.chain().steps()).hasSize(6).extracting(s -> s.fact()).extracting(LoggedEvent::where)
                .allSatisfy(where -> assertThat(where).startsWith(TOPICS.guestLog() + "-"));
    }

    /** The element {@code tag} with id {@code id}, to its matching close (nested elements of the same tag counted). */
    private static String element(String html, String tag, String id) {
        Matcher open = Pattern.compile("<" + tag + "[^>]*\\bid=\"" + Pattern.quote(id) + "\"").matcher(html);
        assertThat(open.find()).as("an element " + tag + " with id " + id).isTrue();
        int start = open.start();
        int depth = 0;
        Matcher tags = Pattern.compile("<(/?)" + tag + "[\\s>]").matcher(html);
        tags.region(start, html.length());
        while (tags.find()) {
            depth += tags.group(1).isEmpty() ? 1 : -1;
            if (depth == 0) {
                return html.substring(start, tags.end());
            }
        }
        throw new AssertionError("element " + id + " is not closed");
    }

    /** How many elements the page marks as of the trace asked for. */
    private static long markedRows(String html) {
        return Pattern.compile("class=\"[^\"]*\\bintrace\\b").matcher(html).results().count();
    }

    /** The opening tag of the element with id {@code id}. */
    private static String opening(String html, String id) {
        Matcher open = Pattern.compile("<[a-z]+[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(html);
        assertThat(open.find()).as("an element with id " + id).isTrue();
        return open.group();
    }

    /** Rows of this test's letters (key {@code dl1}): other tests' letters share the broker. */
    private static int letterRows(String html) {
        return html.split("<td class=\"key\">dl1</td>", -1).length - 1;
    }

    private RecordMetadata send(KafkaProducer<String, byte[]> producer, String topic, String key, CloudEvent<? extends Payload> event)
            throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, codec.encode(event))).get();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(TestUsers.as(TestUsers.VIEWER, console.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafkaResource.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }
}
