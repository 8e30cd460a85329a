package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.policy.core.GuestState.AppBudget;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Engine takeover: the policy engine runs as two instances (each with a hot standby of the other's
 * state) while a storm of application failures arrives on every partition of the guest log; the
 * active instance (the one owning the partition of a failing guest) is killed with SIGKILL, and the
 * time from the kill to the next decision is taken for each partition it owned, as a
 * {@code read_committed} reader beside the engines receives it. The next decision of a partition is
 * the first one whose failure was written after the kill, so a decision the killed instance had
 * committed is never counted. The killed instance is started again and the group settles before the
 * next kill, so each kill is a standby's takeover.
 *
 * <p>At the end the storm stops and every failure must have exactly one decision, and each guest's
 * restart attempts must count 1, 2, 3... without a gap or a repeat (up to the decider's memory of
 * {@value AppBudget#MAX_REMEMBERED} failures, where an unlimited application's count stays): nothing
 * lost or doubled across the kills.
 */
final class TakeoverBenchmark implements AutoCloseable {

    /** Guests failing in turn, spread over every partition. */
    static final int GUESTS = 30;
    /** One failure every this long: 50 a second. */
    static final Duration STORM_INTERVAL = Duration.ofMillis(20);
    /** After the group is stable, for the standby tasks to catch up and the assignment to settle before a kill. */
    static final Duration SETTLE = Duration.ofSeconds(15);

    /**
     * One kill.
     *
     * @param engine the instance killed
     * @param partitions the guest-log partitions it was active for
     * @param takeoverMs from the kill to each partition's next decision
     */
    record Kill(int number, String engine, long pid, Instant at, Set<Integer> partitions, Map<Integer, Long> takeoverMs) {
        /** The slowest of its partitions: when everything it owned was decided again. */
        long worstMs() {
            return takeoverMs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        String describe() {
            return String.format(Locale.ROOT, "kill %d at %s: %s (pid %d), active for guest-log partitions %s: next decision after %,d ms (%s)",
                    number, LocalTime.ofInstant(at, ZoneId.systemDefault()), engine, pid, partitions, worstMs(), takeoverMs.entrySet().stream()
                            .map(e -> String.format(Locale.ROOT, "p%d %,d", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
        }
    }

    /** What the benchmark saw: the kills, and whether any failure was decided twice or not at all. */
    record Report(List<Kill> kills, int failures, int decided, int lost, int doubled, List<String> budgetsBroken) {
        long percentile(double p) {
            List<Long> sorted = kills.stream().map(Kill::worstMs).sorted().toList();
            return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
        }

        String summary() {
            return String.format(Locale.ROOT, "engine takeover: %d kills, kill -9 -> next decision p50 %,d ms, max %,d ms "
                            + "(per kill, the slowest partition the killed instance owned)%n"
                            + "exactly once: %,d failures, %,d decisions, %d lost, %d doubled, restart attempts counted 1..n for %s",
                    kills.size(), percentile(50), percentile(100), failures, decided, lost, doubled,
                    budgetsBroken.isEmpty() ? "every guest" : "all but " + budgetsBroken);
        }
    }

    private record Decided(int partition, long readNanos, String causeId, String guest, Integer attempt) {
    }

    private final LocalFleet fleet;
    private final EventCodec codec = new EventCodec();
    private final RecordGate gate = new RecordGate(codec);
    private final KafkaProducer<String, byte[]> producer;
    private final TopicReader decisionReader;
    private final Thread reader;
    private final Thread storm;
    /** Each failure's id, and when it was sent ({@link System#nanoTime()}). */
    private final Map<String, Long> sent = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
    /** Decisions in reading order. Guarded by {@code this}. */
    private final List<Decided> decided = new ArrayList<>();
    private volatile boolean storming = true;
    private volatile boolean reading = true;

    TakeoverBenchmark(LocalFleet fleet) {
        this.fleet = fleet;
        // Each storm guest signs as itself, registered before the storm begins.
        for (int g = 0; g < GUESTS; g++) {
            fleet.keys().key(io.guestguard.protocol.trust.Principal.guest("storm-g" + g));
        }
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new ByteArraySerializer());
        this.decisionReader = new TopicReader(fleet.bootstrapServers(), fleet.topics().decisions());
        this.reader = new Thread(this::readDecisions, "takeover-decisions");
        this.storm = new Thread(this::storm, "takeover-storm");
    }

    /**
     * Starts the storm, kills the active instance {@code kills} times, stops the storm and checks.
     *
     * @param settle how long to let a restarted instance's standbys catch up before the next kill
     *               ({@link #SETTLE}; a test that checks only that nothing is lost or doubled needs none)
     */
    Report run(int kills, Duration settle, PrintStream out) throws InterruptedException {
        reader.start();
        storm.start();
        List<Kill> done = new ArrayList<>();
        for (int i = 1; i <= kills; i++) {
            fleet.awaitEngineReady(Duration.ofSeconds(120));
            Thread.sleep(settle.toMillis()); // a benchmark's pause: the standbys catch up, the assignment settles
            var active = activeFor("storm-g0");
            int instance = active.getKey();
            Set<Integer> owned = partitionsOf(active.getValue());
            awaitDecisionAfter(System.nanoTime(), owned, Duration.ofSeconds(60)); // deciding, before the kill
            ServiceProcess engine = fleet.engines().get(instance);
            Instant at = Instant.now();
            long killedAt = System.nanoTime();
            engine.crash();
            Map<Integer, Long> takeover = awaitDecisionAfter(killedAt, owned, Duration.ofSeconds(60));
            Kill kill = new Kill(i, engine.name(), engine.pid(), at, owned, takeover);
            done.add(kill);
            out.println("  " + kill.describe());
            fleet.startEngine(instance);
        }
        storming = false;
        storm.join();
        fleet.awaitEngineReady(Duration.ofSeconds(120));
        return check(done, Duration.ofSeconds(120));
    }

    /** Writes one failure every {@link #STORM_INTERVAL}, each guest in turn, each with a new pid. */
    private void storm() {
        try {
            for (int n = 0; storming; n++) {
                String guest = "storm-g" + (n % GUESTS);
                String id = "storm-" + n;
                sent.put(id, System.nanoTime());
                producer.send(KafkaBinding.record(fleet.topics().guestLog(), guest, fleet.keys().encodeAsWriter(CloudEvent.ofGuest(id,
                        "/guest/" + guest + "/reporter", Instant.now(), guest, AppFailed.killed("app1", 1000 + n, "KILL")))),
                        (metadata, e) -> {
                            if (metadata != null) {
                                partitionOf.put(guest, metadata.partition());
                            }
                        });
                Thread.sleep(STORM_INTERVAL.toMillis());
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readDecisions() {
        try {
            while (reading) {
                for (ConsumerRecord<String, byte[]> record : decisionReader.pollNew(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    try {
                        CloudEvent<Decision> decision = gate.decision(record.key(), record.value(), record.headers());
                        synchronized (this) {
                            decision.data().causeIds().forEach(cause -> decided.add(new Decided(record.partition(), now, cause,
                                    decision.guestId(), decision.data().attempt())));
                            notifyAll();
                        }
                    } catch (RejectedRecordException e) {
                        // not the engines': nothing of this benchmark
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    /** For each of {@code partitions}, the time from {@code fromNanos} to its first decision of a failure sent after it. */
    private synchronized Map<Integer, Long> awaitDecisionAfter(long fromNanos, Set<Integer> partitions, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Long> first = new TreeMap<>();
        int scanned = 0;
        while (true) {
            for (; scanned < decided.size(); scanned++) {
                Decided d = decided.get(scanned);
                Long sentAt = sent.get(d.causeId());
                if (partitions.contains(d.partition()) && sentAt != null && sentAt >= fromNanos && !first.containsKey(d.partition())) {
                    first.put(d.partition(), (d.readNanos() - fromNanos) / 1_000_000);
                }
            }
            if (first.keySet().containsAll(partitions)) {
                return first;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("no decision for partition(s) " + partitions.stream().filter(p -> !first.containsKey(p))
                        .toList() + " within " + timeout.toSeconds() + " s; logs in " + fleet.runDir().resolve("logs"));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The running engine instance active for {@code guest}'s partition, and its group member. */
    private Map.Entry<Integer, MemberDescription> activeFor(String guest) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Integer partition = partitionOf.get(guest);
            if (partition != null) {
                for (MemberDescription member : members()) {
                    if (partitionsOf(member).contains(partition)) {
                        for (var engine : fleet.engines().entrySet()) {
                            if (member.clientId().startsWith(engine.getValue().name() + "-StreamThread-") && engine.getValue().isAlive()) {
                                return Map.entry(engine.getKey(), member);
                            }
                        }
                    }
                }
            }
            Thread.sleep(100); // polling the group's assignment; the deadline bounds it
        }
        throw new IllegalStateException("no running engine instance owns " + guest + "'s partition; logs in " + fleet.runDir().resolve("logs"));
    }

    private List<MemberDescription> members() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers()))) {
            return List.copyOf(admin.describeConsumerGroups(List.of(LocalFleet.ENGINE_APPLICATION_ID)).all().get()
                    .get(LocalFleet.ENGINE_APPLICATION_ID).members());
        } catch (ExecutionException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private Set<Integer> partitionsOf(MemberDescription member) {
        return member.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(fleet.topics().guestLog()))
                .map(tp -> tp.partition()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Waits until every failure sent has a decision, then counts what was lost or doubled. */
    private Report check(List<Kill> kills, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!decided.stream().map(Decided::causeId).collect(Collectors.toSet()).containsAll(sent.keySet())
                    && System.nanoTime() < deadline) {
                wait(500);
            }
            Map<String, Long> perCause = decided.stream().collect(Collectors.groupingBy(Decided::causeId, Collectors.counting()));
            int lost = (int) sent.keySet().stream().filter(id -> !perCause.containsKey(id)).count();
            int doubled = (int) perCause.values().stream().filter(n -> n > 1).count();
            Map<String, List<Integer>> attempts = new HashMap<>();
            decided.forEach(d -> attempts.computeIfAbsent(d.guest(), g -> new ArrayList<>()).add(d.attempt()));
            // An unlimited application's attempt stays at the decider's memory of its last failures once it is full.
            List<String> broken = attempts.entrySet().stream()
                    .filter(e -> !e.getValue().equals(IntStream.rangeClosed(1, e.getValue().size())
                            .map(n -> Math.min(n, AppBudget.MAX_REMEMBERED)).boxed().toList()))
                    .map(Map.Entry::getKey).sorted().toList();
            return new Report(kills, sent.size(), decided.size(), lost, doubled, broken);
        }
    }

    @Override
    public void close() {
        storming = false;
        reading = false;
        decisionReader.wakeup();
        try {
            storm.join(5_000);
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        decisionReader.close();
    }
}
