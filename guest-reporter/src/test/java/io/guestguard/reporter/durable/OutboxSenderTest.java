package io.guestguard.reporter.durable;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The outbox delivered to a real broker: in order, across an outage and a restart, and past a stall. */
class OutboxSenderTest {

    private static final Logger LOG = Logger.getLogger(OutboxSenderTest.class);
    private static final Topics TOPICS = new Topics("guestguard.");
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

    /** A broker for the tests that do not stop it. */
    private static EmbeddedKafka shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        shared = EmbeddedKafka.startTemporary(TOPICS, 3);
    }

    @AfterAll
    static void stopBroker() {
        shared.close();
    }

    @Test
    void everyFactArrivesInSeqOrderAcrossABrokerOutageAndAReporterRestart() {
        String guest = "g-outage";
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(TOPICS, 3)) {
            Supplier<Producer<String, byte[]>> producers = producers(kafka, guest);
            Outbox outbox = Outbox.open(dir, 1000, true);
            OutboxSender sender = new OutboxSender(outbox, TOPICS.guestLog(), guest, producers, Duration.ofSeconds(30), CLOSE_TIMEOUT);
            sender.start();
            appendFacts(outbox, guest, 5);
            await("facts 1-5 acknowledged").atMost(Duration.ofSeconds(30))
                    .until(() -> outbox.lastAcknowledged() == 5 && outbox.size() == 0);

            kafka.stop();
            appendFacts(outbox, guest, 5); // 6-10, while the broker is down
            await("sends fail after the delivery timeout and the producer is replaced").atMost(Duration.ofSeconds(30))
                    .until(() -> sender.producersRecreated() >= 1);
            assertThat(sender.consecutiveFailures()).as("what the readiness check reads").isPositive();
            assertThat(sender.running()).as("it never gives up: the facts wait on disk").isTrue();
            appendFacts(outbox, guest, 2); // 11-12
            assertThat(outbox.size()).isEqualTo(7);

            // The reporter restarts in the middle of the outage.
            sender.close();
            outbox.close();
            Outbox reopened = Outbox.open(dir, 1000, true);
            assertThat(reopened.pending()).extracting(Outbox.Entry::seq).containsExactly(6L, 7L, 8L, 9L, 10L, 11L, 12L);
            assertThat(reopened.nextSeq()).isEqualTo(13);
            OutboxSender restarted = new OutboxSender(reopened, TOPICS.guestLog(), guest, producers, Duration.ofSeconds(30),
                    CLOSE_TIMEOUT);
            try (reopened; restarted) {
                restarted.start();
                appendFacts(reopened, guest, 3); // 13-15
                await("the new sender's first producer fails too").atMost(Duration.ofSeconds(30))
                        .until(() -> restarted.producersRecreated() >= 1);

                kafka.restart();

                await("everything acknowledged after the broker is back").atMost(Duration.ofSeconds(60))
                        .until(() -> reopened.size() == 0);
                assertThat(reopened.lastAcknowledged()).isEqualTo(15);
                assertThat(restarted.consecutiveFailures()).as("reset by the first acknowledgement").isZero();
                // Everything the producers acknowledged is in the log by now; duplicates, if any, too.
                List<Long> log = readSeqs(kafka, guest, 15, 15);
                int duplicates = assertInOrderExceptDuplicates(log, 15);
                LOG.infof("outage test: %d records for 15 facts, %d duplicates dropped by seq; first sender sent %d "
                                + "(%d again, %d producers replaced), second sent %d (%d again, %d producers replaced)",
                        log.size(), duplicates, sender.sent(), sender.resent(), sender.producersRecreated(),
                        restarted.sent(), restarted.resent(), restarted.producersRecreated());
                assertThat(sender.acknowledged()).isGreaterThanOrEqualTo(5);
                assertThat(restarted.acknowledged()).isGreaterThanOrEqualTo(10);
            }
        }
    }

    @Test
    void aProducerThatGetsNoAnswerIsReplacedAfterTheStallTimeout() {
        String guest = "g-stall";
        HungThenReal supply = new HungThenReal(producers(shared, guest));
        try (Outbox outbox = Outbox.open(dir, 100, true);
             OutboxSender sender = new OutboxSender(outbox, TOPICS.guestLog(), guest,
                     supply, Duration.ofSeconds(1), CLOSE_TIMEOUT)) {
            sender.start();
            appendFacts(outbox, guest, 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> supply.hung.history().size() == 3);
            assertThat(sender.producersRecreated()).isZero();

            await("replaced after 1 s without an answer").atMost(Duration.ofSeconds(10))
                    .until(() -> sender.producersRecreated() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> outbox.size() == 0);

            assertThat(supply.hung.closed()).isTrue();
            assertThat(supply.made.get()).isEqualTo(2);
            assertThat(sender.resent()).isEqualTo(3);
            assertThat(readSeqs(shared, guest, 3, 3)).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void recreateIfStalledReplacesOnlyAProducerThatMadeNoProgress() {
        String guest = "g-rebind";
        HungThenReal supply = new HungThenReal(producers(shared, guest));
        try (Outbox outbox = Outbox.open(dir, 100, true);
             OutboxSender sender = new OutboxSender(outbox, TOPICS.guestLog(), guest,
                     supply, Duration.ofHours(1), CLOSE_TIMEOUT)) {
            sender.start();
            assertThat(sender.recreateIfStalled(Duration.ZERO)).as("nothing in flight").isFalse();
            appendFacts(outbox, guest, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> supply.hung.history().size() == 2);
            assertThat(sender.recreateIfStalled()).as("waiting less than the stall timeout").isFalse();
            assertThat(sender.recreateIfStalled(Duration.ofMinutes(1))).isFalse();

            await("unanswered for 300 ms").atMost(Duration.ofSeconds(10))
                    .until(() -> sender.recreateIfStalled(Duration.ofMillis(300)));
            await().atMost(Duration.ofSeconds(30)).until(() -> outbox.size() == 0);
            assertThat(sender.producersRecreated()).isEqualTo(1);
            assertThat(supply.hung.closed()).isTrue();

            appendFacts(outbox, guest, 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> outbox.size() == 0);
            assertThat(sender.recreateIfStalled(Duration.ZERO)).as("a producer that answers is kept").isFalse();
            sender.resendUnacknowledged();
            assertThat(sender.producersRecreated()).as("nothing unacknowledged to resend").isEqualTo(1);
            assertThat(readSeqs(shared, guest, 3, 3)).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void resendUnacknowledgedSendsWhatIsInFlightAgainOnAFreshProducer() {
        String guest = "g-resend";
        HungThenReal supply = new HungThenReal(producers(shared, guest));
        try (Outbox outbox = Outbox.open(dir, 100, true);
             OutboxSender sender = new OutboxSender(outbox, TOPICS.guestLog(), guest,
                     supply, Duration.ofHours(1), CLOSE_TIMEOUT)) {
            sender.start();
            appendFacts(outbox, guest, 4);
            await().atMost(Duration.ofSeconds(10)).until(() -> supply.hung.history().size() == 4);
            supply.hung.completeNext(); // seq 1 acknowledged by the old producer, 2-4 still open

            sender.resendUnacknowledged();

            await().atMost(Duration.ofSeconds(30)).until(() -> outbox.size() == 0);
            assertThat(sender.resent()).isEqualTo(3);
            assertThat(sender.producersRecreated()).isEqualTo(1);
            assertThat(supply.hung.closed()).isTrue();
            assertThat(readSeqs(shared, guest, 3, 4)).as("seq 1 went through the old producer").containsExactly(2L, 3L, 4L);
        }
    }

    @Test
    void lostAcknowledgementsOnlyCauseDuplicatesBehindTheFirstCopies() {
        String guest = "g-lost-acks";
        Map<String, Object> config = OutboxSender.producerConfig(io.guestguard.protocol.kafka.KafkaClientSettings.plaintext(shared.bootstrapServers()), "guest-reporter-" + guest,
                DELIVERY_TIMEOUT, REQUEST_TIMEOUT);
        // Writes to the real broker, but its acknowledgements never reach the sender.
        KafkaProducer<String, byte[]> deaf = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
                return super.send(record, null);
            }
        };
        AtomicInteger made = new AtomicInteger();
        Supplier<Producer<String, byte[]>> real = OutboxSender.kafkaProducers(config);
        try (Outbox outbox = Outbox.open(dir, 100, true);
             OutboxSender sender = new OutboxSender(outbox, TOPICS.guestLog(), guest,
                     () -> made.getAndIncrement() == 0 ? deaf : real.get(), Duration.ofSeconds(1), CLOSE_TIMEOUT)) {
            sender.start();
            appendFacts(outbox, guest, 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> outbox.size() == 0);

            assertThat(sender.producersRecreated()).isEqualTo(1);
            List<Long> log = readSeqs(shared, guest, 6, 3);
            assertThat(log).containsExactly(1L, 2L, 3L, 1L, 2L, 3L);
            assertThat(assertInOrderExceptDuplicates(log, 3)).isEqualTo(3);
        }
    }

    private static Supplier<Producer<String, byte[]>> producers(EmbeddedKafka kafka, String guest) {
        return OutboxSender.kafkaProducers(OutboxSender.producerConfig(io.guestguard.protocol.kafka.KafkaClientSettings.plaintext(kafka.bootstrapServers()), "guest-reporter-" + guest,
                DELIVERY_TIMEOUT, REQUEST_TIMEOUT));
    }

    private static void appendFacts(Outbox outbox, String guest, int count) {
        for (int i = 0; i < count; i++) {
            outbox.append(i % 2 == 0, seq -> (guest + " seq=" + seq).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The seqs of {@code guest}'s records in log order, once at least {@code records} of them are read
     * and seq {@code last} is among them.
     */
    private static List<Long> readSeqs(EmbeddedKafka kafka, String guest, int records, long last) {
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), TOPICS.guestLog())) {
            List<Long> seqs = new ArrayList<>();
            await(records + " records of " + guest + " up to seq " + last).atMost(Duration.ofSeconds(30)).until(() -> {
                seqs.clear();
                for (ConsumerRecord<String, byte[]> record : reader.poll()) {
                    if (guest.equals(record.key())) {
                        String value = new String(record.value(), StandardCharsets.UTF_8);
                        assertThat(value).startsWith(guest + " seq=");
                        seqs.add(Long.parseLong(value.substring(value.indexOf('=') + 1)));
                    }
                }
                return seqs.size() >= records && seqs.contains(last);
            });
            return List.copyOf(seqs);
        }
    }

    /**
     * Asserts that, reading the log in order and dropping each seq seen before, the seqs are exactly
     * 1 to {@code last}, none missing; returns how many duplicates were dropped.
     */
    private static int assertInOrderExceptDuplicates(List<Long> log, long last) {
        List<Long> firsts = new ArrayList<>();
        int duplicates = 0;
        for (long seq : log) {
            if (firsts.contains(seq)) {
                duplicates++;
            } else {
                firsts.add(seq);
            }
        }
        assertThat(firsts).as("log %s without duplicates", log)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
        return duplicates;
    }

    /**
     * A producer that never gets an answer (a connection that died silently), then real ones: what
     * the sender must replace, and what it replaces it with.
     */
    private static final class HungThenReal implements Supplier<Producer<String, byte[]>> {
        final MockProducer<String, byte[]> hung = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        final AtomicInteger made = new AtomicInteger();
        private final Supplier<Producer<String, byte[]>> real;

        HungThenReal(Supplier<Producer<String, byte[]>> real) {
            this.real = real;
        }

        @Override
        public Producer<String, byte[]> get() {
            return made.getAndIncrement() == 0 ? hung : real.get();
        }
    }
}
