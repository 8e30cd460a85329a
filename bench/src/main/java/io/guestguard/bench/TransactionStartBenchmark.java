package io.guestguard.bench;

import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * How long a transaction's first write waits when it comes right after a commit, as the engine's
 * does: it commits every 10 ms, so the next fact's outputs often follow a commit within milliseconds.
 * Since transaction version 2 (Kafka 4) the broker adds a partition to the transaction when the first
 * record for it arrives; while the last commit's markers are still being written the coordinator answers
 * {@code CONCURRENT_TRANSACTIONS} and the broker tries again after {@code add.partitions.to.txn.retry.backoff.ms}
 * (Kafka's default 20 ms). Measured with the engine's producer settings, on a broker started here with
 * GuestGuard's settings ({@link io.guestguard.deploy.kafka.EmbeddedKafka#FLEET_SETTINGS}) and any given on top, or on a cluster.
 */
final class TransactionStartBenchmark {

    /** Partitions the committed transaction wrote to, as the engine's write a decision, a command and its state. */
    private static final int PARTITIONS = 3;

    record Result(Latencies afterCommit, Latencies afterPause) {
    }

    /** A first write's acknowledgement, in microseconds, sorted. */
    record Latencies(List<Long> micros) {
        double percentileMs(double p) {
            int rank = (int) Math.ceil(p / 100.0 * micros.size());
            return micros.get(Math.max(0, rank - 1)) / 1000.0;
        }

        String summary() {
            return String.format(Locale.ROOT, "p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms",
                    percentileMs(50), percentileMs(90), percentileMs(99), percentileMs(100));
        }
    }

    private TransactionStartBenchmark() {
    }

    /**
     * Runs {@code warmup + transactions} pairs twice: a commit, then at once a new transaction's first write,
     * timed until acknowledged; then the same with {@code pauseMs} between the commit and the write.
     */
    static Result run(String bootstrapServers, Map<String, String> brokerSettings, int warmup, int transactions, int pauseMs,
                      PrintStream out) throws Exception {
        String prefix = Broker.runPrefix("txn");
        try (Broker broker = Broker.open(bootstrapServers, new Topics(prefix), PARTITIONS, (short) 1, brokerSettings)) {
            String topic = prefix + "writes";
            broker.createTopic(topic);
            out.println("broker: " + broker.describe() + (brokerSettings.isEmpty() ? "" : ", with " + brokerSettings));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerSettings(broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                return new Result(measure(producer, topic, warmup, transactions, 0),
                        measure(producer, topic, warmup, transactions, pauseMs));
            }
        }
    }

    /** The engine's producer settings that bear on this (linger, one request in flight, its retry backoff). */
    private static Map<String, Object> producerSettings(String bootstrapServers) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-txn-" + System.nanoTime());
        for (String key : List.of(ProducerConfig.LINGER_MS_CONFIG, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG)) {
            String value = EngineSettings.kafkaStreams().get("producer." + key);
            if (value != null) {
                settings.put(key, value);
            }
        }
        return settings;
    }

    private static Latencies measure(KafkaProducer<String, String> producer, String topic, int warmup, int transactions,
                                     int pauseMs) throws InterruptedException, ExecutionException {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < warmup + transactions; i++) {
            producer.beginTransaction();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                producer.send(new ProducerRecord<>(topic, partition, "k", "committed"));
            }
            producer.commitTransaction();
            if (pauseMs > 0) {
                Thread.sleep(pauseMs); // the scenario: the next write comes this long after the commit
            }
            producer.beginTransaction();
            long start = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, i % PARTITIONS, "k", "first")).get();
            long took = (System.nanoTime() - start) / 1000;
            producer.commitTransaction();
            if (i >= warmup) {
                micros.add(took);
            }
        }
        Collections.sort(micros);
        return new Latencies(List.copyOf(micros));
    }
}
