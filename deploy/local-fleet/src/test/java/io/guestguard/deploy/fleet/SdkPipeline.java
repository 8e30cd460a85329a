package io.guestguard.deploy.fleet;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GuestGuard's topics as an outside pipeline sees them through the official CloudEvents Java SDK
 * ({@code io.cloudevents:cloudevents-kafka} with {@code cloudevents-json-jackson}): its Kafka
 * deserializer reads the records, its serializer writes them, nothing of GuestGuard's codec in
 * between. docs/pipelines.md shows the same calls.
 */
final class SdkPipeline {

    private SdkPipeline() {
    }

    /** One record as the SDK read it. */
    record Read(ConsumerRecord<String, byte[]> record, CloudEvent event) {
    }

    /**
     * What was read of each topic.
     *
     * @param read       the records with a {@code content-type} header, as the SDK read them
     * @param unreadable the records with one that the SDK refused, e.g. a dead letter of a binary-mode
     *                   record without {@code ce_id}, by the SDK's reason
     * @param unmarked   the records without one, which no CloudEvents SDK reads
     */
    record Topic(List<Read> read, Map<ConsumerRecord<String, byte[]>, String> unreadable,
                 List<ConsumerRecord<String, byte[]>> unmarked) {
    }

    /**
     * Every record of {@code topics}, from their beginnings to their ends now, by topic: each that
     * carries a {@code content-type} header (what GuestGuard writes, and what the binding says a
     * CloudEvent carries) read by the SDK's {@link CloudEventDeserializer}, the others set apart.
     */
    static Map<String, Topic> readEveryTopic(String servers, List<String> topics) {
        CloudEventDeserializer sdk = new CloudEventDeserializer();
        sdk.configure(Map.of(), false);
        Map<String, Topic> read = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : topics) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                List<Read> records = new ArrayList<>();
                List<ConsumerRecord<String, byte[]>> unmarked = new ArrayList<>();
                Map<ConsumerRecord<String, byte[]>, String> unreadable = new LinkedHashMap<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("could not read " + topic + " to its end within 60 s");
                    }
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        if (record.headers().lastHeader("content-type") != null) {
                            try {
                                records.add(new Read(record, sdk.deserialize(topic, record.headers(), record.value())));
                            } catch (RuntimeException e) {
                                unreadable.put(record, String.valueOf(e));
                            }
                        } else {
                            unmarked.add(record);
                        }
                    }
                }
                read.put(topic, new Topic(records, unreadable, unmarked));
            }
        }
        return read;
    }

    /**
     * {@code structured} (a GuestGuard event as structured JSON, signature and all) as a record of
     * {@code topic} in binary mode, written by the SDK: its JSON format reads the event, its Kafka
     * serializer, configured for binary mode, writes the attributes, the signature's included, to
     * {@code ce_} headers and the data to the value.
     */
    static ProducerRecord<String, byte[]> binary(String topic, String key, byte[] structured) {
        EventFormat json = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
        CloudEvent event = json.deserialize(structured);
        try (CloudEventSerializer serializer = new CloudEventSerializer()) {
            serializer.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY), false);
            RecordHeaders headers = new RecordHeaders();
            byte[] value = serializer.serialize(topic, headers, event);
            return new ProducerRecord<>(topic, null, key, value, headers);
        }
    }
}
