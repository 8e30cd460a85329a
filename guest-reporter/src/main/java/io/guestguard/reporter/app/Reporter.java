package io.guestguard.reporter.app;

import io.guestguard.agent.AgentTrust;
import io.guestguard.agent.CommandJournal;
import io.guestguard.agent.CommandListener;
import io.guestguard.protocol.AppCommand;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestCommand;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StopApp;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.guestguard.reporter.config.AppSpec;
import io.guestguard.reporter.config.GuestFileLoader;
import io.guestguard.reporter.config.GuestSpec;
import io.guestguard.reporter.config.InvalidConfigException;
import io.guestguard.reporter.config.ReporterConfig;
import io.guestguard.reporter.durable.Outbox;
import io.guestguard.reporter.durable.OutboxSender;
import io.guestguard.reporter.messaging.FactPublisher;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.CommandLineArguments;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.KafkaException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import sun.misc.Signal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The reporter's lifecycle and its answers to commands.
 *
 * <ol>
 *   <li>Read the guest file; refuse to start (exit 1) when it is invalid, naming every problem.</li>
 *   <li>With {@code trust} in the guest file, check both key files and load the key ring from the keys
 *       topic (waiting for Kafka up to a minute: a reporter that cannot tell genuine commands from
 *       forged ones does not start); from then on every fact and beat is signed with the guest's key
 *       and every command checked (signer, authorization) before anything else.</li>
 *   <li>Open the state folder: the outbox (facts not yet acknowledged by Kafka, and the sequence
 *       numbering) and the command journal. A {@code reporter.started} fact is the first of this run.</li>
 *   <li>Start the outbox's sender, then the applications (adopting those a previous reporter left
 *       running, skipping those an operator stopped and holding those whose restart waits out its
 *       backoff until it is due), then the command listener, so a command never
 *       races the start-up, then the heartbeats.</li>
 *   <li>On shutdown, stop the listener, the applications (each reported stopped), then the sender,
 *       which delivers what it can in its close timeout; the rest stays in the outbox; then stop
 *       following the keys topic.</li>
 *   <li>On {@value #RESTART_SIGNAL} (restart in place, for an upgrade of the reporter itself): the same
 *       shutdown, except that the applications are left running, then exit with
 *       {@value #RESTARTED_IN_PLACE}; the next reporter over the same state folder adopts them. What
 *       starts it again is the guest's service manager (the unit's {@code Restart=always}, whose
 *       {@code KillMode=process} leaves the applications alone).</li>
 * </ol>
 * Without trust, Kafka need not be reachable for any of this: facts wait in the outbox and commands
 * are read once Kafka answers.
 */
@ApplicationScoped
public class Reporter {

    private static final Logger LOG = Logger.getLogger(Reporter.class);
    /** Failures in a row of the outbox sender (about 30 s of backoff, plus delivery timeouts) before readiness is DOWN. */
    static final int SENDER_FAILURE_LIMIT = 8;
    /** The signal that asks for a restart in place: {@code systemctl kill --signal=SIGUSR1 guestguard-reporter}. */
    public static final String RESTART_SIGNAL = "USR1";
    /** The exit status of a reporter that restarted in place: its applications run on, for the next one to adopt. */
    public static final int RESTARTED_IN_PLACE = 75;
    /** How long start-up waits for the command partition before going on without it. */
    private static final Duration ASSIGN_WAIT = Duration.ofSeconds(10);
    /** Open once the applications were started or adopted: commands wait for it. */
    private final CountDownLatch appsStarted = new CountDownLatch(1);

    private final ReporterConfig config;
    private final Optional<String> bootstrapOverride;
    private final String[] args;
    private final EventCodec codec = new EventCodec();
    private GuestSpec guest;
    private AgentTrust trust;
    private Outbox outbox;
    private OutboxSender sender;
    private CommandJournal journal;
    private HeldApps held;
    private FactPublisher publisher;
    private ApplicationSupervisor supervisor;
    private CommandListener<GuestCommand> commands;
    /** What became of the commands, once the guest file is read: for the metrics. */
    private volatile CommandCounts commandCounts;
    /** Restart commands applied since this reporter started, for its metrics. */
    private final java.util.concurrent.atomic.AtomicLong restartsApplied = new java.util.concurrent.atomic.AtomicLong();
    /** Set by {@value #RESTART_SIGNAL}: this stop leaves the applications running. */
    private volatile boolean restartingInPlace;
    /** Monitors, probes, and restarts that wait out their backoff, so the command listener never sleeps. */
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(ApplicationSupervisor.daemons("reporter-timers"));
    /** Beats on a thread of their own: a send may wait for Kafka's metadata while Kafka is away. */
    private final ScheduledExecutorService beats =
            Executors.newSingleThreadScheduledExecutor(ApplicationSupervisor.daemons("reporter-heartbeats"));

    Reporter(ReporterConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> bootstrapOverride,
             @CommandLineArguments String[] args) {
        this.config = config;
        this.bootstrapOverride = bootstrapOverride;
        this.args = args;
    }

    /**
     * {@code --check}: validates the guest file without starting anything, as {@code cmcheckconf}
     * does; prints the result and returns the exit code (0 valid, 1 invalid).
     */
    int check() {
        Path file = Path.of(config.reporter().configFile());
        try {
            GuestSpec spec = new GuestFileLoader().load(file);
            AgentTrust.KeyFiles keyFiles = keyFiles(file, spec);
            String signing = keyFiles.on()
                    ? "signed with key " + AgentTrust.check(keyFiles, Principal.guest(spec.guest())).keyId() + " of guest "
                      + spec.guest() + "; commands checked against the keys the root in " + keyFiles.root().get() + " registered"
                    : "off (no trust in the file): records are neither signed nor checked";
            System.out.printf("%s: OK (guest %s, %d applications)%n", file, spec.guest(), spec.applications().size());
            System.out.printf("%s: trust: %s%n", file, signing);
            return 0;
        } catch (InvalidConfigException e) {
            e.problems().forEach(System.err::println);
            return 1;
        } catch (IllegalArgumentException e) { // a key file
            System.err.println(e.getMessage());
            return 1;
        }
    }

    /** The guest file's key files, named as the file names them. */
    private static AgentTrust.KeyFiles keyFiles(Path file, GuestSpec spec) {
        return new AgentTrust.KeyFiles(file + ": trust.root_key_file", spec.trust().rootKeyFile(),
                file + ": trust.key_file", spec.trust().keyFile());
    }

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        if (List.of(args).contains("--check")) {
            Quarkus.asyncExit(check());
            return;
        }
        handleRestartSignal();
        Path file = Path.of(config.reporter().configFile());
        KafkaClientSettings kafka;
        try {
            guest = new GuestFileLoader().load(file);
            kafka = guest.kafka(file, bootstrapOverride);
            commandCounts = new CommandCounts(guest.applications().stream().map(AppSpec::name).toList());
        } catch (InvalidConfigException e) {
            LOG.errorf("refusing to start: %s", e.getMessage());
            Quarkus.asyncExit(1);
            return;
        }
        try {
            outbox = Outbox.open(guest.stateDir().resolve("outbox"), guest.outbox().maxFacts(), guest.outbox().fsync());
            journal = CommandJournal.open(guest.stateDir().resolve("commands"));
            held = HeldApps.load(guest.stateDir());
        } catch (RuntimeException e) {
            LOG.errorf("refusing to start: cannot use the state folder %s (state_dir in %s): %s", guest.stateDir(), file,
                    e.getMessage());
            Quarkus.asyncExit(1);
            return;
        }
        Topics topics = new Topics(config.topicPrefix());
        try {
            trust = AgentTrust.start(keyFiles(file, guest), Principal.guest(guest.guest()),
                    kafka.properties(), topics, codec);
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.errorf("refusing to start: %s", e.getMessage());
            Quarkus.asyncExit(1);
            return;
        } catch (KafkaException e) {
            refuseKafkaSettings(file, e);
            return;
        }
        int unsent = outbox.size();
        try {
            publisher = new FactPublisher(outbox, kafka, topics, guest.guest(), trust.signer());
        } catch (KafkaException e) {
            refuseKafkaSettings(file, e);
            return;
        }
        publisher.publish(new ReporterStarted(unsent, outbox.droppedCount()));
        var reporter = config.reporter();
        sender = new OutboxSender(outbox, topics.guestLog(), guest.guest(), OutboxSender.kafkaProducers(
                OutboxSender.producerConfig(kafka, "guest-reporter-" + guest.guest(), reporter.deliveryTimeout(),
                        reporter.requestTimeout())), reporter.stallTimeout(), Duration.ofSeconds(5));
        sender.start();
        supervisor = new ApplicationSupervisor(guest.applications(), publisher, guest.stateDir(), timers);
        commands = new CommandListener<GuestCommand>(kafka, topics.guestCommands(), guest.guest(), "guest-reporter-" + guest.guest(),
                CommandListener.Mode.AT_MOST_ONCE, trust.gate()::guestCommand, journal, this::execute,
                publisher::deadLetter, e -> Quarkus.asyncExit(1));
        commands.start();
        // Positioned before the applications start: a reporter without a journal reads commands from the
        // partition's end as of its positioning, so a restart answering a failure in between was skipped
        // (seen in CI: an application killed right after its first start was never restarted). Commands
        // read meanwhile are applied once the applications started or were adopted, as before.
        if (!commands.awaitAssigned(ASSIGN_WAIT)) {
            LOG.warnf("commands for %s are not readable yet; going on, they will be read once Kafka answers", guest.guest());
        }
        try {
            supervisor.startAll(held.all());
            held.restartsDue().forEach(this::restartWhenDue);
        } finally {
            appsStarted.countDown();
        }
        long beatMs = guest.heartbeatInterval().toMillis();
        beats.scheduleAtFixedRate(publisher::heartbeat, 0, beatMs, TimeUnit.MILLISECONDS);
        LOG.infof("reporting for guest %s (%d applications, %d earlier facts to send) to %s", guest.guest(),
                guest.applications().size(), unsent, kafka.bootstrapServers());
    }

    /**
     * A Kafka client could not be made from the guest file's settings, before any connection: a keystore
     * or truststore that is not one, or whose password (from its password file) does not open it.
     * Kafka's own reasons, outermost first, say which store and why.
     */
    private static void refuseKafkaSettings(Path file, KafkaException e) {
        StringBuilder reasons = new StringBuilder();
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause.getMessage() != null && reasons.indexOf(cause.getMessage()) < 0) {
                reasons.append(reasons.length() == 0 ? "" : ": ").append(cause.getMessage());
            }
        }
        LOG.errorf("refusing to start: %s: kafka: cannot make a Kafka client with these settings (%s); check kafka.tls "
                + "(each store a PKCS12 or JKS file its password file opens) and kafka.sasl, see docs/operations.md, "
                + "'Kafka settings'", file, reasons);
        Quarkus.asyncExit(1);
    }

    /**
     * A stop that leaves the applications running, for an upgrade of the reporter: SIGTERM keeps its
     * meaning (stop the applications, as a guest's shutdown and {@code systemctl stop} expect), and
     * only this signal, sent on purpose, leaves them to the next reporter.
     */
    private void handleRestartSignal() {
        Signal.handle(new Signal(RESTART_SIGNAL), signal -> {
            LOG.infof("SIG%s: restarting in place; the applications keep running for the next reporter to adopt",
                    RESTART_SIGNAL);
            restartingInPlace = true;
            Quarkus.asyncExit(RESTARTED_IN_PLACE);
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        if (commands != null) {
            commands.close();
        }
        if (supervisor != null && restartingInPlace) {
            supervisor.detach();
        } else if (supervisor != null) {
            supervisor.close();
        }
        timers.shutdownNow();
        beats.shutdownNow();
        if (sender != null) {
            sender.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (journal != null) {
            journal.close();
        }
        if (outbox != null) {
            outbox.close();
        }
        if (trust != null) {
            trust.close();
        }
    }

    private void execute(CloudEvent<? extends GuestCommand> command) {
        try {
            appsStarted.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped before the applications started", e);
        }
        try {
            apply(command);
        } catch (RuntimeException e) { // the listener dead-letters it
            commandCounts.add(command.data().kind(), CommandCounts.Outcome.REFUSED);
            throw e;
        }
        commandCounts.add(command.data().kind(), CommandCounts.Outcome.APPLIED);
    }

    private void apply(CloudEvent<? extends GuestCommand> command) {
        String id = command.id();
        command.data().accept(new GuestCommand.Visitor<Void>() {
            @Override
            public Void restartApp(RestartApp restart) {
                publisher.answering(requireApp(restart).app(), command);
                restart(id, restart);
                return null;
            }

            @Override
            public Void stopApp(StopApp stop) {
                LOG.infof("stopping %s as asked (%s); it stays stopped until started again", requireApp(stop).app(), id);
                publisher.answering(stop.app(), command);
                held.hold(stop.app());
                supervisor.stop(stop.app());
                return null;
            }

            @Override
            public Void startApp(StartApp start) {
                LOG.infof("starting %s as asked (%s)", requireApp(start).app(), id);
                publisher.answering(start.app(), command);
                held.release(start.app());
                supervisor.start(start.app());
                return null;
            }

            @Override
            public Void rebind(Rebind rebind) {
                Reporter.this.rebind(command, rebind);
                return null;
            }
        });
    }

    /** {@code command}, if its application is one of this guest's; a command for another is rejected. */
    private <C extends AppCommand> C requireApp(C command) {
        if (!supervisor.has(command.app())) {
            throw new RejectedRecordException("guest " + guest.guest() + " has no application '" + command.app() + "'");
        }
        return command;
    }

    private void restart(String commandId, RestartApp restart) {
        restartsApplied.incrementAndGet();
        commandCounts.restarted(restart.app());
        LOG.infof("restarting %s (attempt %d of %s, %s)%s", restart.app(), restart.attempt(),
                restart.limit() == null ? "unlimited" : restart.limit(), commandId,
                restart.delayMs() > 0 ? " in " + restart.delayMs() + " ms" : "");
        if (restart.delayMs() == 0) {
            held.release(restart.app());
            startAgain(restart.app()); // no hand-off to the timer: this is the path a crash waits on
            return;
        }
        Instant due = Instant.now().plusMillis(restart.delayMs());
        held.holdUntil(restart.app(), due); // a reporter restarted meanwhile waits for the same time
        restartWhenDue(restart.app(), due);
    }

    /** Starts {@code app} at {@code due}, unless a stop or another restart replaced this one meanwhile. */
    private void restartWhenDue(String app, Instant due) {
        long inMs = Math.max(0, Duration.between(Instant.now(), due).toMillis());
        timers.schedule(() -> {
            if (held.releaseRestart(app, due)) {
                startAgain(app);
            }
        }, inMs, TimeUnit.MILLISECONDS);
    }

    private void startAgain(String app) {
        if (!supervisor.start(app)) {
            LOG.infof("%s is already running or starting; nothing to restart", app);
        }
    }

    /**
     * The guest now runs on another host: make sure facts flow again (a producer whose connection
     * died with the move is replaced, and every unacknowledged fact is sent again), then answer with
     * the next sequence number, so the migration watcher can tell whether it has seen them all.
     */
    private void rebind(CloudEvent<?> command, Rebind rebind) {
        String commandId = command.id();
        boolean recreated = sender.recreateIfStalled(config.reporter().rebindStallTimeout());
        int unacknowledged = outbox.size();
        if (!recreated) {
            sender.resendUnacknowledged(); // a recreated producer resends by itself; an empty outbox needs nothing
        }
        long seq = publisher.publish(s -> new Rebound(commandId, rebind.host(), rebind.epoch(), s + 1, unacknowledged,
                recreated), command);
        LOG.infof("rebound to host %s (epoch %d): %d facts sent again%s, next seq %d", rebind.host(), rebind.epoch(),
                unacknowledged, recreated ? ", Kafka producer recreated" : "", seq + 1);
    }

    /**
     * What keeps the reporter from doing its job, for the readiness check; empty when nothing does:
     * not started, facts that do not reach Kafka after {@value #SENDER_FAILURE_LIMIT} failures in a
     * row (the sender goes on trying; they wait on disk), facts waiting with no acknowledgement from
     * Kafka for {@code guestguard.reporter.ready-ack-timeout}, an outbox at its limit (the next fact
     * drops the oldest), a stopped sender, a dead letter given up.
     */
    public List<String> troubles() {
        if (publisher == null || sender == null) {
            return List.of("the reporter is not started (see its log)");
        }
        List<String> troubles = new java.util.ArrayList<>();
        if (!sender.running()) {
            troubles.add("the outbox sender stopped; " + outbox.size() + " facts wait in the outbox for a restart");
        } else if (sender.consecutiveFailures() >= SENDER_FAILURE_LIMIT) {
            troubles.add("facts do not reach Kafka: " + sender.consecutiveFailures() + " failures in a row; "
                    + outbox.size() + " facts wait in the outbox");
        }
        Duration ackBound = config.reporter().readyAckTimeout();
        sender.unacknowledgedFor().filter(waited -> waited.compareTo(ackBound) >= 0).ifPresent(waited -> troubles.add(
                "no acknowledgement from Kafka for " + waited.toMillis() + " ms while " + outbox.size()
                        + " facts wait, more than the " + ackBound.toMillis() + " ms it may be (guestguard.reporter.ready-ack-timeout)"));
        if (outbox.size() >= guest.outbox().maxFacts()) {
            troubles.add("the outbox is full (" + outbox.size() + " facts, outbox.max_facts): the next fact drops the oldest");
        }
        publisher.trouble().ifPresent(troubles::add);
        return troubles;
    }

    /**
     * What a restart would cure, for the liveness check; empty when nothing does, and while starting:
     * the outbox sender or the command reader stopped (an unforeseen error; the facts wait on disk).
     */
    public List<String> liveTroubles() {
        List<String> troubles = new java.util.ArrayList<>();
        if (sender != null && !sender.running()) {
            troubles.add("the outbox sender stopped; " + outbox.size() + " facts wait in the outbox for a restart");
        }
        if (commands != null && !commands.reading()) {
            troubles.add("the command reader stopped: commands to guest " + guest.guest() + " are not applied");
        }
        return troubles;
    }

    /** The outbox, once the reporter started (empty before): for its metrics. */
    public java.util.Optional<Outbox> outbox() {
        return java.util.Optional.ofNullable(outbox);
    }

    /** What became of the commands, once the guest file is read (empty before, or if it could not be). */
    public Optional<CommandCounts> commandCounts() {
        return Optional.ofNullable(commandCounts);
    }

    /** Restart commands applied since this reporter started. */
    public long restartsApplied() {
        return restartsApplied.get();
    }

    /** The commands refused for their signature or signer so far, by kind: for the readiness details. */
    public Map<String, Long> refused() {
        return trust == null ? Map.of() : trust.refused();
    }

    /** The supervisor, for tests and health checks. */
    public ApplicationSupervisor supervisor() {
        return supervisor;
    }
}
