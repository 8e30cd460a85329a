package io.guestguard.agent;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicCreator;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The command reader on a real broker, fed the records that used to stop it: whatever follows the
 * decoding of a record (the journal, the handler, the dead-letter writer) ends in a dead letter with
 * its reason at worst, and the next command is applied.
 */
class CommandListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static EmbeddedKafka broker;

    @TempDir
    Path dir;
    private final EventCodec codec = new EventCodec();
    private final Topics topics = new Topics("listener" + RUNS.incrementAndGet() + ".");
    private final List<CloudEvent<? extends HostCommand>> applied = new CopyOnWriteArrayList<>();
    private final List<String> deadLetters = new CopyOnWriteArrayList<>();
    private final List<RuntimeException> fatal = new CopyOnWriteArrayList<>();
    private CommandJournal journal;
    private CommandListener<HostCommand> listener;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void close() {
        if (listener != null) {
            listener.close();
        }
        if (journal != null) {
            journal.close();
        }
    }

    @Test
    void aCommandIdWithANewlineIsDeadLetteredAndTheNextCommandIsApplied() throws Exception {
        listen(applied::add, (record, reason) -> deadLetters.add(record.offset() + ": " + reason));
        // Once the journal threw on such an id, outside the listener's guard, and the supervisor exited.
        String json = new String(command("start-1", new StartGuest("g1", "h1", 1, "d1")), StandardCharsets.UTF_8);
        send(json.replace("\"start-1\"", "\"start-1\\nforged log line\"").getBytes(StandardCharsets.UTF_8));
        send(command("halt-2", new HaltGuest("g1", "h1", 1, "d2")));

        await().atMost(WAIT).until(() -> applied.size() == 1);
        assertThat(applied.get(0).id()).isEqualTo("halt-2");
        assertThat(deadLetters).singleElement().asString().startsWith("0: ").contains("id");
        assertThat(fatal).isEmpty();
        assertThat(journal.pending()).as("the halt is begun, the refused record is not").hasSize(1);
    }

    @Test
    void aHandlerThatThrowsDeadLettersItsCommandAndTheNextOneIsApplied() throws Exception {
        listen(command -> {
            if (command.id().equals("start-1")) {
                throw new IllegalStateException("hypervisor connection closed");
            }
            applied.add(command);
        }, (record, reason) -> deadLetters.add(record.offset() + ": " + reason));
        send(command("start-1", new StartGuest("g1", "h1", 1, "d1")));
        send(command("halt-2", new HaltGuest("g1", "h1", 1, "d2")));

        await().atMost(WAIT).until(() -> applied.size() == 1);
        assertThat(deadLetters).containsExactly(
                "0: could not be applied: java.lang.IllegalStateException: hypervisor connection closed");
        assertThat(fatal).isEmpty();
        assertThat(journal.pending()).as("dead-lettered is finished; the halt is the handler's to finish").hasSize(1);
    }

    @Test
    void aDeadLetterThatCannotBeWrittenDoesNotStopTheListener() throws Exception {
        listen(applied::add, (record, reason) -> {
            throw new IllegalStateException("Kafka did not take the dead letter after 8 attempts");
        });
        send("garbage".getBytes(StandardCharsets.UTF_8));
        send(command("halt-2", new HaltGuest("g1", "h1", 1, "d2")));

        await().atMost(WAIT).until(() -> applied.size() == 1);
        assertThat(fatal).isEmpty();
    }

    @Test
    void itsReaderRunsFromItsStartUntilItIsClosed() throws Exception {
        listen(applied::add, (record, reason) -> deadLetters.add(reason));
        assertThat(listener.reading()).isTrue();
        listener.close();
        assertThat(listener.reading()).as("what the agents' liveness reports").isFalse();
    }

    private void listen(Consumer<CloudEvent<? extends HostCommand>> handler,
                        BiConsumer<ConsumerRecord<String, byte[]>, String> letters) throws InterruptedException {
        TopicCreator.create(broker.bootstrapServers(), topics, 1, (short) 1);
        journal = CommandJournal.open(dir.resolve("commands"));
        listener = new CommandListener<>(io.guestguard.protocol.kafka.KafkaClientSettings.plaintext(broker.bootstrapServers()), topics.hostCommands(), "h1", "test-h1",
                CommandListener.Mode.UNTIL_DONE, new RecordGate(codec)::hostCommand, journal, handler, letters, fatal::add);
        listener.start();
        assertThat(listener.awaitAssigned(WAIT)).isTrue();
    }

    private byte[] command(String id, HostCommand command) {
        return codec.encode(new CloudEvent<>(id, "/policy-engine", Instant.now(), "g1", null, "h1", 1L, command));
    }

    private void send(byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.hostCommands(), "h1", value)).get();
        }
    }
}
