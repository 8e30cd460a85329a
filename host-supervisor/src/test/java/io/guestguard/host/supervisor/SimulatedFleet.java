package io.guestguard.host.supervisor;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicCreator;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.host.config.HostSettings;
import io.guestguard.process.ProcessGroups;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Simulated hosts with real supervisors in this JVM, on a real broker, with the test playing the
 * policy engine: it writes host commands, placements and beats, and reads the supervisors' facts.
 * A guest is {@code sh guest.sh GUEST}: a shell waiting on a sleep, so {@link #runners} can find
 * every runner of a guest in {@code /proc} whichever host started it.
 */
final class SimulatedFleet implements AutoCloseable {

    private static final AtomicInteger RUNS = new AtomicInteger();

    final EmbeddedKafka broker;
    final Topics topics;
    final Path dir;
    private final EventCodec codec = new EventCodec();
    private final KafkaProducer<String, byte[]> producer;
    private final TopicReader guestLog;
    private final List<CloudEvent<?>> facts = new ArrayList<>();
    private final Map<String, HostNode> hosts = new ConcurrentHashMap<>();
    private final Map<String, String> extra = new HashMap<>();
    private final Path guestScript;
    private final Path fenceScript;
    private final java.util.Set<String> beating = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledExecutorService beats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "simulated-fleet-beats");
        thread.setDaemon(true);
        return thread;
    });

    SimulatedFleet(EmbeddedKafka broker, Path dir) {
        this.broker = broker;
        this.dir = dir;
        this.topics = new Topics("t" + RUNS.incrementAndGet() + "-" + ProcessHandle.current().pid() + ".");
        TopicCreator.create(broker.bootstrapServers(), topics, 3, (short) 1);
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        this.guestLog = new TopicReader(broker.bootstrapServers(), topics.guestLog());
        this.guestScript = dir.resolve("guest.sh");
        write(guestScript, "# a simulated guest: $1 is its id\nsleep 1000 &\nwait\n");
        // Powers a simulated host off: kills every guest group the registry lists under it.
        this.fenceScript = dir.resolve("fence.sh");
        write(fenceScript, """
                # members of group $1 that still run (zombies are dead, whoever reaps them)
                running() { ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' | grep -q .; }
                for f in "$1/$2"/*; do
                  [ -f "$f" ] || continue
                  pgid=$(cut -d' ' -f1 "$f")
                  kill -9 "-$pgid" 2>/dev/null
                  for i in 1 2 3 4 5 6 7 8 9 10; do running "$pgid" || break; sleep 0.1; done
                  if running "$pgid"; then echo "group $pgid of $2 survived SIGKILL"; exit 1; fi
                  rm -f "$f"
                done
                echo "powered off $2"
                """);
        // A host's beats, as its supervisor service sends them, with the inventory of its node.
        beats.scheduleAtFixedRate(() -> beating.forEach(h -> {
            HostNode node = hosts.get(h);
            beat(h, node == null ? List.of() : node.inventory());
        }), 0, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The fence hook for this fleet's simulated hosts, as a guestguard.host.fence-command value. */
    String fenceCommand() {
        return "sh " + fenceScript + " " + dir.resolve("registry");
    }

    /** Starts or stops beating for {@code host} every 250 ms, as its supervisor service would. */
    void beating(String host, boolean on) {
        if (on) {
            beating.add(host);
        } else {
            beating.remove(host);
        }
    }

    /** Writes a fact about {@code guest} to the guest log, as a reporter or an operator would. */
    void fact(String guest, Fact fact) {
        send(topics.guestLog(), guest, new CloudEvent<>(UUID.randomUUID().toString(), "/test", Instant.now(), guest, null,
                null, null, fact));
    }

    /** Extra host settings (without the guestguard.host. prefix) for hosts started from now on. */
    SimulatedFleet with(String name, String value) {
        extra.put(name, value);
        return this;
    }

    HostSettings settings(String host) {
        Map<String, String> p = new HashMap<>(Map.of("id", host, "hypervisor", "simulated",
                "state-dir", dir.resolve(host).toString(), "simulated.registry", dir.resolve("registry").toString(),
                "simulated.guest-command", "sh " + guestScript + " {guest}", "simulated.migration-downtime", "200ms",
                "halt-grace", "2s", "peer-timeout", "1s"));
        p.putAll(extra);
        return HostSettings.read(name -> Optional.ofNullable(p.get(name.substring(HostSettings.PREFIX.length()))));
    }

    /** Starts (or restarts) host {@code id}'s supervisor. */
    HostNode start(String id) throws Exception {
        return start(id, hypervisor -> hypervisor);
    }

    /** Starts host {@code id}'s supervisor with {@code faults} around its hypervisor. */
    HostNode start(String id, java.util.function.UnaryOperator<io.guestguard.host.hypervisor.Hypervisor> faults)
            throws Exception {
        HostNode node = new HostNode(settings(id), io.guestguard.protocol.kafka.KafkaClientSettings.plaintext(broker.bootstrapServers()), topics, Duration.ofSeconds(5), e -> { }, faults);
        node.start();
        hosts.put(id, node);
        return node;
    }

    /** Stops host {@code id}'s supervisor; its guests keep running, as after a supervisor crash. */
    void stop(String id) {
        HostNode node = hosts.remove(id);
        if (node != null) {
            node.close();
        }
    }

    HostNode host(String id) {
        return hosts.get(id);
    }

    /** Sends a command as the engine would: keyed by the host, naming the guest it is about. */
    String command(String guest, Long epoch, HostCommand command) {
        return command(guest, epoch, command, null);
    }

    /** As {@link #command(String, Long, HostCommand)}, in the trace {@code trace}. */
    String command(String guest, Long epoch, HostCommand command, Traceparent trace) {
        String id = command.getClass().getSimpleName() + "-" + UUID.randomUUID();
        resend(new CloudEvent<>(id, "/policy-engine", Instant.now(), guest, null, command.host(), epoch, trace, command));
        return id;
    }

    /** Sends a command event as is (again, or late). */
    void resend(CloudEvent<? extends HostCommand> event) {
        send(topics.hostCommands(), event.data().host(), event);
    }

    void placement(String guest, String host, long epoch, PlacementPhase phase) {
        send(topics.placements(), guest, new CloudEvent<>("placement-" + UUID.randomUUID(), "/policy-engine", Instant.now(),
                guest, null, host, epoch, new GuestPlacement(host, epoch, phase, Map.of())));
    }

    void beat(String host, List<String> guests) {
        send(topics.hostHeartbeats(), host, new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor",
                Instant.now(), null, null, host, null, new Heartbeat("host", host, guests)));
    }

    private void send(String topic, String key, CloudEvent<? extends Payload> event) {
        try {
            producer.send(new ProducerRecord<>(topic, key, codec.encode(event))).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    /** Every fact the supervisors wrote about {@code guest} so far, oldest first. */
    synchronized List<CloudEvent<?>> facts(String guest) {
        guestLog.pollNew(Duration.ofMillis(100)).forEach(r -> facts.add(codec.decode(r.value())));
        return facts.stream().filter(f -> guest.equals(f.guestId())).toList();
    }

    /** The facts about {@code guest} of one type, oldest first. */
    <F extends Fact> List<CloudEvent<?>> facts(String guest, Class<F> type) {
        return facts(guest).stream().filter(f -> type.isInstance(f.data())).toList();
    }

    /**
     * The process groups that run {@code guest}, on any host (by group, as a shell forking its
     * {@code sleep} briefly shows two processes with the guest's command line).
     */
    List<Long> runners(String guest) {
        String runner = guestScript + " " + guest; // after the shell's resolved path
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.endsWith(runner)).orElse(false))
                .filter(p -> ProcessGroups.alive(p.pid())) // a zombie runs nothing
                .map(p -> {
                    try {
                        return ProcessGroups.groupOf(p.pid());
                    } catch (RuntimeException e) {
                        return -1L; // ended meanwhile
                    }
                }).filter(g -> g > 0).distinct().toList();
    }

    /** Kills every runner of every guest started under this fleet's folder. */
    void killAllGuests() {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(guestScript.toString())).orElse(false))
                .forEach(p -> {
                    try {
                        ProcessGroups.kill(ProcessGroups.groupOf(p.pid()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        // already gone
                    }
                });
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        beats.shutdownNow();
        List.copyOf(hosts.keySet()).forEach(this::stop);
        killAllGuests();
        guestLog.close();
        producer.close();
    }
}
