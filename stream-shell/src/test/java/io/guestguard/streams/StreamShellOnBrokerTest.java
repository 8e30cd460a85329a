package io.guestguard.streams;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The shell's pieces on a real broker: the dead-letter net writes there, and a closed client leaves its group. */
class StreamShellOnBrokerTest {

    private static final Topics TOPICS = Topics.DEFAULT;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.startTemporary(TOPICS, 1);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aRecordWhoseProcessingThrowsIsDeadLetteredWithItsReasonAndTheNextIsProcessed(@TempDir Path state) {
        Properties props = properties("net-test", state);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterNet.class.getName());
        props.put(DeadLetterNet.TOPIC, TOPICS.deadLetter());
        props.put(DeadLetterNet.SERVICE, "net-test");
        try (TopologyTestDriver driver = new TopologyTestDriver(throwingTopology(), props);
             TopicReader deadLetters = new TopicReader(kafka.bootstrapServers(), TOPICS.deadLetter())) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());

            in.pipeInput("g1", "boom");
            in.pipeInput("g2", "fine");
            driver.advanceWallClockTime(Duration.ofSeconds(2)); // a punctuation that throws: logged, and on

            assertThat(out.readKeyValuesToMap()).isEqualTo(Map.of("g2", "fine"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !deadLetters.poll().isEmpty());
            ConsumerRecord<String, byte[]> dead = deadLetters.poll().get(0);
            assertThat(dead.key()).isEqualTo("g1");
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("boom");
            assertThat(header(dead, DeadLetter.REASON)).isEqualTo(
                    "processing failed in fragile: java.lang.IllegalStateException: cannot handle boom");
            assertThat(header(dead, DeadLetter.TOPIC)).isEqualTo("in");
            assertThat(header(dead, DeadLetter.SERVICE)).isEqualTo("net-test");
            in.pipeInput("g3", "fine");
            assertThat(out.readKeyValuesToMap()).as("still processing").isEqualTo(Map.of("g3", "fine"));
        }
    }

    /**
     * Kafka Streams 4.1 does not leave its group on close, not even with {@code CloseOptions.leaveGroup(true)}
     * unless its members are static (KAFKA-16514); the services set the main consumer's
     * {@code internal.leave.group.on.close}, which this pins down: should an upgrade drop it, this fails.
     */
    @Test
    void aClientWithTheServicesLeaveSettingLeavesItsGroupWhenClosed(@TempDir Path state) throws Exception {
        Properties props = properties("leave-test", state);
        props.put("main.consumer.internal.leave.group.on.close", "true");
        // A member that does not leave stays this long: far longer than the wait below.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "60000");
        Topology topology = new Topology();
        topology.addSource("in", TOPICS.guestLog()).addSink("out", TOPICS.decisions(), "in");
        KafkaStreams streams = new KafkaStreams(topology, props);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            streams.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> members(admin, "leave-test") == 1);

            streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));

            await().atMost(Duration.ofSeconds(10)).until(() -> members(admin, "leave-test") == 0);
        } finally {
            streams.close(Duration.ofSeconds(10));
        }
    }

    private static int members(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size();
    }

    private static Properties properties(String applicationId, Path state) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        return props;
    }

    /** Forwards what it reads, except "boom", on which it throws; its punctuation always throws. */
    private static Topology throwingTopology() {
        Topology topology = new Topology();
        topology.addSource("in", "in");
        topology.addProcessor("fragile", () -> new Processor<String, String, String, String>() {
            private ProcessorContext<String, String> context;

            @Override
            public void init(ProcessorContext<String, String> context) {
                this.context = context;
                context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, t -> {
                    throw new IllegalStateException("a punctuation that fails");
                });
            }

            @Override
            public void process(Record<String, String> record) {
                if (record.value().equals("boom")) {
                    throw new IllegalStateException("cannot handle boom");
                }
                context.forward(record);
            }
        }, "in");
        topology.addSink("out", "out", "fragile");
        return topology;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
