package io.guestguard.console;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's operator actions over HTTP, on a real broker: who may act (a viewer sees no button and
 * is refused every action, the POST too; a user with neither role sees nothing), the confirmation and
 * its CSRF token (a POST without it writes nothing), the checks on what is asked (a host outside the
 * package, a bad name), and what a confirmed action writes: the same operator.request the CLI writes,
 * naming the console as operator and the user who confirmed it; counted on /q/metrics; health.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(TestUsers.class)
class ConsoleActionsTest {

    private static final Topics TOPICS = Topics.DEFAULT;
    private static final String GUEST = "a1";

    @TestHTTPResource("/")
    URI console;

    private final EventCodec codec = new EventCodec();

    @BeforeEach
    void aGuestWithAPackage() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            PackageSpec spec = new PackageSpec(GUEST, List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                    PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 2, null, PackageSpec.Backoff.NONE),
                    new PackageSpec.AppPolicy("app2", null, null, PackageSpec.Backoff.NONE)));
            producer.send(new ProducerRecord<>(TOPICS.packages(), GUEST, codec.encode(CloudEvent.ofGuest("a1-package", "/operator/ops",
                    Instant.now(), GUEST, new PackageApplied(spec))))).get();
            producer.send(new ProducerRecord<>(TOPICS.placements(), GUEST, codec.encode(CloudEvent.ofGuest("a1-placement",
                    "/policy-engine", Instant.now(), GUEST, new GuestPlacement("h1", 1, PlacementPhase.RUNNING, Map.of()))))).get();
        }
        HttpClient http = ServiceHttp.client();
        await("the console knows a1's package").atMost(Duration.ofSeconds(30))
                .until(() -> send(http, TestUsers.as(TestUsers.OPERATOR, page("guests/a1")).build()).body().contains("act-halt"));
    }

    @Test
    void everyPageNeedsALoginAndTheFormSignsIn() throws Exception {
        HttpClient anonymous = ServiceHttp.client();
        HttpResponse<String> fleet = send(anonymous, ServiceHttp.request(page("")).build());
        assertThat(fleet.statusCode()).as("sent to the login page").isEqualTo(302);
        assertThat(fleet.headers().firstValue("location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login.html"));
        assertThat(send(anonymous, ServiceHttp.request(page("events")).build()).statusCode()).isIn(302, 401);
        assertThat(send(anonymous, ServiceHttp.request(page("login.html")).build()).body()).contains("j_security_check");
        assertThat(send(anonymous, ServiceHttp.request(page("favicon.ico")).build()).statusCode())
                .as("not a login challenge, or the login would return to it").isEqualTo(404);

        HttpClient browser = ServiceHttp.builder().cookieHandler(new CookieManager()).build();
        HttpResponse<String> wrong = send(browser, form(page("j_security_check"), Map.of("j_username", TestUsers.VIEWER, "j_password", "guess")).build());
        assertThat(wrong.headers().firstValue("location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login-failed.html"));
        send(browser, form(page("j_security_check"), Map.of("j_username", TestUsers.VIEWER, "j_password", TestUsers.password(TestUsers.VIEWER))).build());
        HttpResponse<String> signedIn = send(browser, ServiceHttp.request(page("")).build());
        assertThat(signedIn.statusCode()).isEqualTo(200);
        assertThat(signedIn.body()).contains("Signed in as <strong>victor</strong>").contains("data-guest=\"a1\"");

        assertThat(send(anonymous, TestUsers.as(TestUsers.NO_ROLE, page("")).build()).statusCode())
                .as("signed in with neither role").isEqualTo(403);
    }

    @Test
    void aViewerSeesNoActionAndIsRefusedEveryOne() throws Exception {
        HttpClient http = ServiceHttp.builder().cookieHandler(new CookieManager()).build();
        String guestPage = send(http, TestUsers.as(TestUsers.VIEWER, page("guests/a1")).build()).body();
        assertThat(guestPage).contains("Guest a1").doesNotContain("act-").doesNotContain("/actions/");

        assertThat(send(http, TestUsers.as(TestUsers.VIEWER, page("actions/app?guest=a1&action=stop&app=app2")).build()).statusCode())
                .isEqualTo(403);
        long before = guestLog().size();
        HttpResponse<String> post = send(http, TestUsers.as(TestUsers.VIEWER, page("actions/app"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("guest=a1&action=stop&app=app2")).build());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(guestLog()).hasSize((int) before);
    }

    @Test
    void anOperatorConfirmsAndTheConsoleWritesTheRequestOnTheirBehalf() throws Exception {
        HttpClient http = ServiceHttp.builder().cookieHandler(new CookieManager()).build();
        HttpResponse<String> confirmation = send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/app?guest=a1&action=stop&app=app2")).build());
        assertThat(confirmation.statusCode()).isEqualTo(200);
        assertThat(confirmation.body()).contains("Stop application app2 in guest a1 (on h1)")
                .contains("on behalf of you, <strong>olivia</strong>").contains("id=\"confirm\"");
        String token = hidden(confirmation.body(), "csrf-token");
        int before = guestLog().size();

        HttpResponse<String> forged = send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/app"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("guest=a1&action=stop&app=app2")).build());
        assertThat(forged.statusCode()).as("no CSRF token").isGreaterThanOrEqualTo(400);
        HttpResponse<String> wrongToken = send(http, form(page("actions/app"), Map.of("csrf-token", token + "x", "guest", GUEST,
                "action", "stop", "app", "app2")).header("Authorization", basic(TestUsers.OPERATOR)).build());
        assertThat(wrongToken.statusCode()).as("a wrong CSRF token").isGreaterThanOrEqualTo(400);
        assertThat(guestLog()).as("nothing written without the right token").hasSize(before);

        HttpResponse<String> done = send(http, form(page("actions/app"), Map.of("csrf-token", token, "guest", GUEST, "action", "stop",
                "app", "app2")).header("Authorization", basic(TestUsers.OPERATOR)).build());
        assertThat(done.statusCode()).isEqualTo(200);
        String requestId = between(done.body(), "<code id=\"request-id\">", "</code>");
        assertThat(done.body()).contains("href=\"/guests/a1\"");

        List<CloudEvent<?>> written = guestLog();
        assertThat(written).hasSize(before + 1);
        CloudEvent<?> request = written.get(written.size() - 1);
        assertThat(request.id()).isEqualTo(requestId);
        assertThat(request.source()).isEqualTo("/operator/console");
        assertThat(request.guestId()).isEqualTo(GUEST);
        assertThat(request.data()).isEqualTo(OperatorRequest.ofApp(OperatorRequest.Action.STOP_APP, "app2", "console").onBehalfOf("olivia"));

        String metrics = send(http, ServiceHttp.request(page("q/metrics")).build()).body();
        assertThat(metrics).containsPattern("guestguard_console_operator_actions_total\\{action=\"stop-app\",outcome=\"written\"} 1\\.0");
    }

    @Test
    void whatAFormCannotAskIsRefusedWithTheReason() throws Exception {
        HttpClient http = ServiceHttp.builder().cookieHandler(new CookieManager()).build();
        HttpResponse<String> notItsHost = send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/guest?guest=a1&action=move&to=h3")).build());
        assertThat(notItsHost.statusCode()).isEqualTo(400);
        assertThat(notItsHost.body()).contains("host h3 is not one of a1&#39;s hosts (h1, h2); choose one of them");
        assertThat(send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/guest?guest=a1&action=migrate")).build()).body())
                .contains("migrate a1 needs a host: choose one of its hosts (h1, h2)");
        assertThat(send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/guest?guest=a..1&action=halt")).build()).body())
                .contains("is not a guest name");
        assertThat(send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/guest?guest=nobody&action=halt")).build()).body())
                .contains("no guest nobody has a package or a placement");
        assertThat(send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/guest?guest=a1&action=explode")).build()).body())
                .contains("&#39;explode&#39; is not a guest action; choose halt, run, move, migrate, disable-switching or enable-switching");
        assertThat(send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/app?guest=a1&action=stop&app=app9")).build()).body())
                .contains("application app9 is not one of a1&#39;s applications (app1, app2)");

        HttpResponse<String> move = send(http, TestUsers.as(TestUsers.OPERATOR, page("actions/guest?guest=a1&action=move&to=h2")).build());
        assertThat(move.statusCode()).isEqualTo(200);
        assertThat(move.body()).contains("Move guest a1 from h1 to h2: it is halted, then started on h2 with fresh restart budgets.");
        String metrics = send(http, ServiceHttp.request(page("q/metrics")).build()).body();
        assertThat(metrics).containsPattern("guestguard_console_operator_actions_total\\{action=\"move\",outcome=\"invalid\"} 1\\.0");
    }

    @Test
    void healthSaysTheFeedIsAliveAndHasReadTheTopics() throws Exception {
        HttpClient http = ServiceHttp.client();
        assertThat(send(http, ServiceHttp.request(page("q/health/live")).build()).statusCode()).isEqualTo(200);
        await("ready once the topics are read").atMost(Duration.ofSeconds(30))
                .until(() -> send(http, ServiceHttp.request(page("q/health/ready")).build()).statusCode() == 200);
        assertThat(send(http, ServiceHttp.request(page("q/health/ready")).build()).body()).contains("\"readToTheEnd\": true");
    }

    private URI page(String path) {
        return console.resolve(path);
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder form(URI uri, Map<String, String> fields) {
        String body = fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return ServiceHttp.request(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String basic(String user) {
        return TestUsers.as(user, URI.create("http://x/")).build().headers().firstValue("Authorization").orElseThrow();
    }

    private static String hidden(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a hidden " + name + " field").isTrue();
        return m.group(1);
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        assertThat(from).as(start).isNotNegative();
        return text.substring(from + start.length(), text.indexOf(end, from + start.length()));
    }

    /** Every operator request on a1's guest log so far. */
    private List<CloudEvent<?>> guestLog() {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafkaResource.broker().bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPICS.guestLog()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<CloudEvent<?>> found = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    CloudEvent<?> event = codec.decode(record.value());
                    if (GUEST.equals(event.guestId()) && event.data() instanceof OperatorRequest) {
                        found.add(event);
                    }
                }
            }
            return found;
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafkaResource.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }
}
