package io.guestguard.host.supervisor;

import io.guestguard.host.config.HostSettings;
import io.guestguard.host.hypervisor.Hypervisor;
import io.guestguard.host.hypervisor.HypervisorException;
import io.guestguard.agent.AgentTrust;
import io.guestguard.agent.CommandJournal;
import io.guestguard.agent.CommandListener;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One host's supervisor wired to its hypervisor and to Kafka: the fleet watch, the fact writer, the
 * command journal and the listener of this host's commands, started in that order (so commands are
 * only read once the placements are known and unfinished commands are finished) and closed in the
 * reverse one. With trust on, every fact it writes is signed with the host's key and every record
 * it reads (commands, placements, other hosts' beats) passes the trust's gate first; the node owns
 * the trust and closes it last. The Quarkus service runs one; tests run several in one JVM.
 */
public final class HostNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HostNode.class);
    /** A new supervisor reads from the partition's end: be positioned there before saying ready. */
    private static final Duration ASSIGN_WAIT = Duration.ofSeconds(30);

    private final HostSettings settings;
    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final Duration placementWait;
    private final Consumer<RuntimeException> fatal;
    private final UnaryOperator<Hypervisor> around;
    private final AgentTrust trust;
    private final EventCodec codec = new EventCodec();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final Map<String, Hypervisor> peers = new ConcurrentHashMap<>();
    private volatile HostSupervisor supervisor;
    private volatile FleetWatch fleet;
    private volatile FactWriter facts;
    private volatile CommandListener<HostCommand> commands;

    /**
     * @param placementWait how long a command waits for the placements written with it to be read
     * @param fatal told when commands can no longer be applied (the journal cannot be written)
     */
    public HostNode(HostSettings settings, KafkaClientSettings kafka, Topics topics, AgentTrust trust,
                    Duration placementWait, Consumer<RuntimeException> fatal) {
        this(settings, kafka, topics, trust, placementWait, fatal, UnaryOperator.identity());
    }

    /** Trust off, with {@code around} wrapped around this host's hypervisor (tests inject its faults so). */
    HostNode(HostSettings settings, KafkaClientSettings kafka, Topics topics, Duration placementWait,
             Consumer<RuntimeException> fatal, UnaryOperator<Hypervisor> around) {
        this(settings, kafka, topics, AgentTrust.off(new EventCodec(), Principal.host(settings.host())),
                placementWait, fatal, around);
    }

    /** With {@code trust}, which this node closes, and {@code around} wrapped around this host's hypervisor. */
    HostNode(HostSettings settings, KafkaClientSettings kafka, Topics topics, AgentTrust trust,
             Duration placementWait, Consumer<RuntimeException> fatal, UnaryOperator<Hypervisor> around) {
        this.trust = open(trust); // opened first, so closed last: the readers before it may still check a record
        this.around = around;
        this.settings = settings;
        this.kafka = kafka;
        this.topics = topics;
        this.placementWait = placementWait;
        this.fatal = fatal;
    }

    public void start() throws HypervisorException {
        String host = settings.host();
        Hypervisor hypervisor = open(around.apply(connect(host)));
        FleetWatch fleet = open(new FleetWatch(kafka, topics, "host-supervisor-" + host, trust.gate(), Clock.systemUTC(),
                settings.maxGuests(), settings.maxHosts(), settings.peerTimeout()));
        FactWriter facts = open(new FactWriter(kafka, topics, host, trust.signer(), Clock.systemUTC()));
        CommandJournal journal = open(CommandJournal.open(settings.stateDir().resolve("commands")));
        FenceHook fence = new FenceHook(settings.fenceCommand(), settings.fenceTimeout(), host, Clock.systemUTC());
        HostSupervisor built = open(new HostSupervisor(
                new HostSupervisor.Settings(host, settings.haltGrace(), settings.peerTimeout(), placementWait,
                        settings.commandRetry()),
                hypervisor, this::peer,
                settings.hypervisors()::definition,
                fleet, facts, fence, journal, codec));
        fleet.start();
        built.start();
        CommandListener<HostCommand> commands = new CommandListener<HostCommand>(kafka, topics.hostCommands(), host,
                "host-supervisor-" + host, CommandListener.Mode.UNTIL_DONE, trust.gate()::hostCommand, journal,
                built::accept, facts::deadLetter, fatal);
        open(commands);
        commands.start();
        try {
            if (!commands.awaitAssigned(ASSIGN_WAIT)) {
                LOG.warnf("commands for %s are not readable yet; they will be read once Kafka answers", host);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        this.fleet = fleet;
        this.facts = facts;
        this.commands = commands;
        supervisor = built;
        LOG.infof("host supervisor %s ready: %s hypervisor, %s fence hook, running %s", host, settings.hypervisor(),
                fence.configured() ? "a" : "no", built.inventory());
    }

    /** The guests running here, for heartbeats; empty until started. */
    public List<String> inventory() {
        HostSupervisor s = supervisor;
        return s == null ? List.of() : s.inventory();
    }

    /**
     * What keeps this host's supervisor from doing its job, empty when nothing does: not started,
     * facts that Kafka does not take past their retries, commands that failed on every attempt, a
     * fleet watch that cannot read or is at a bound. The readiness check reports these.
     */
    public List<String> troubles() {
        HostSupervisor s = supervisor;
        if (s == null) {
            return List.of("host supervisor " + settings.host() + " is not started");
        }
        List<String> troubles = new ArrayList<>();
        facts.trouble().ifPresent(troubles::add);
        s.trouble().ifPresent(troubles::add);
        fleet.trouble().ifPresent(troubles::add);
        return troubles;
    }

    /** What a restart would cure, for the liveness check: the command reader stopped. Empty before the start. */
    public List<String> liveTroubles() {
        CommandListener<HostCommand> c = commands;
        return c == null || c.reading() ? List.of() : List.of("the command reader of host " + settings.host() + " stopped");
    }

    /** The records refused for their signature or signer so far, by kind: for the readiness details. */
    public Map<String, Long> refused() {
        return trust.refused();
    }

    /** The running supervisor, or {@code null} before {@link #start} and after {@link #close}. */
    public HostSupervisor supervisor() {
        return supervisor;
    }

    private Hypervisor connect(String host) throws HypervisorException {
        return settings.hypervisors().connect(host);
    }

    /** A migration target's hypervisor, connected on first use. */
    private Hypervisor peer(String host) {
        return peers.computeIfAbsent(host, h -> {
            try {
                return connect(h);
            } catch (HypervisorException e) {
                throw new IllegalStateException("cannot reach host " + h + "'s hypervisor: " + e.getMessage(), e);
            }
        });
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.add(resource);
        return resource;
    }

    /** Stops reading commands, then closes everything; the guests keep running. */
    @Override
    public void close() {
        supervisor = null;
        List<AutoCloseable> all = new ArrayList<>(opened);
        all.addAll(peers.values());
        Collections.reverse(all);
        for (AutoCloseable resource : all) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.debugf("closing %s: %s", resource, e);
            }
        }
        opened.clear();
        peers.clear();
    }
}
