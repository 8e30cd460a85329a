package io.guestguard.host.supervisor;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedRunnable;
import io.guestguard.host.config.HostSettings;
import io.guestguard.host.hypervisor.Hypervisor.DomainEvent;
import io.guestguard.host.hypervisor.Hypervisor;
import io.guestguard.host.hypervisor.HypervisorException;
import io.guestguard.agent.CommandJournal;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.EventType;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.FreeText;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.admission.StartAdmission;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Carries out the commands addressed to one host and reports what happened to its guests, so that
 * the policy engine's picture of the fleet stays true:
 * <ul>
 *   <li>start, halt and migrate guest; each answered by a fact on {@code guest-log.v1} stamped with
 *       the command's placement epoch ({@code guest.started}, {@code guest.start-failed},
 *       {@code guest.halted}, {@code guest.halt-failed}, {@code migration.started} then
 *       {@code .completed} or {@code .failed});</li>
 *   <li>fence host: runs the fence hook and answers {@code host.fenced} for the guest concerned;</li>
 *   <li>a guest that dies or shuts down unasked: {@code guest.halted}, so the engine restarts it
 *       elsewhere.</li>
 * </ul>
 * A command is refused, with a {@code host.command-refused} fact, when it is stale (a newer placement
 * of the guest exists) or when starting would make a second runner (another host's live beat lists
 * the guest): those rules are {@link StartAdmission}'s, pure and shared with policy-core's simulated
 * fleet; this class keeps the per-guest queues, the journal and the hypervisor calls around them.
 * Commands are journalled ({@link CommandJournal#begin}) before they are applied and marked done once
 * their fact is on the log; after a crash the unfinished ones are applied again, and every
 * action is idempotent (starting a guest that runs here reports it started, halting one that does not
 * reports it halted). Commands for one guest run in order; different guests proceed in parallel. A
 * command whose execution throws (the hypervisor or Kafka failed) is tried again with a growing delay,
 * a bounded number of times, holding the commands behind it for that guest; after the last attempt it
 * stays unfinished in the journal for the next start, and {@link #trouble} reports it.
 */
public final class HostSupervisor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HostSupervisor.class);

    /**
     * @param haltGrace how long a halt waits for the guest to shut down before destroying it
     * @param peerTimeout how recent another host's beat must be for its inventory to count
     * @param placementWait how long a command waits for the placements written with it to be read
     */
    public record Settings(String host, Duration haltGrace, Duration peerTimeout, Duration placementWait,
                           HostSettings.Retry commandRetry) {
    }

    private final Settings settings;
    private final String host;
    private final Hypervisor hypervisor;
    private final Function<String, Hypervisor> peers;
    private final GuestCatalog catalog;
    private final FleetWatch fleet;
    private final FactWriter facts;
    private final FenceHook fenceHook;
    private final CommandJournal journal;
    private final EventCodec codec;
    /** The rules a start must pass; this class does the I/O around them. */
    private final StartAdmission admission;
    /** What became of the commands, for the metrics. */
    private final CommandOutcomes outcomes = new CommandOutcomes();
    /** Whether the command applied on this worker thread was refused (then it does not count as applied). */
    private final ThreadLocal<Boolean> refusedNow = ThreadLocal.withInitial(() -> false);
    /** Guests this supervisor is halting or migrating: their lifecycle events are its own doing. */
    private final Set<String> acting = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "host-supervisor-worker");
        thread.setDaemon(true);
        return thread;
    });
    /** Per guest (or lost host, for fences): its commands, in order. */
    private final GuestQueues queues = new GuestQueues(workers);
    /** Commands that failed on every attempt: they stay in the journal for the next start. */
    private final AtomicInteger givenUp = new AtomicInteger();
    private volatile String lastGivenUp;
    private AutoCloseable events;

    public HostSupervisor(Settings settings, Hypervisor hypervisor, Function<String, Hypervisor> peers, GuestCatalog catalog,
                          FleetWatch fleet, FactWriter facts, FenceHook fenceHook, CommandJournal journal, EventCodec codec) {
        this.settings = settings;
        this.host = settings.host();
        this.hypervisor = hypervisor;
        this.peers = peers;
        this.catalog = catalog;
        this.fleet = fleet;
        this.facts = facts;
        this.fenceHook = fenceHook;
        this.journal = journal;
        this.codec = codec;
        this.admission = new StartAdmission(host);
    }

    /**
     * Listens to the hypervisor, finishes the commands a previous run left unfinished, reports
     * guests placed here that are no longer running (they died while no supervisor watched) and
     * re-adopts those running here ({@link #readopt}). Call
     * after the fleet watch started and before commands are read.
     */
    public void start() throws HypervisorException {
        events = hypervisor.onEvent(this::onDomainEvent);
        if (!fleet.awaitPlacementsUpTo(settings.placementWait())) {
            LOG.warnf("placements not read up to their end within %s; going on with what was read", settings.placementWait());
        }
        for (byte[] pending : journal.pending()) {
            CloudEvent<?> event = codec.decode(pending); // it was read and decoded once already
            if (event.data() instanceof HostCommand) {
                LOG.infof("finishing command %s (%s), begun before a restart", event.id(), event.type());
                @SuppressWarnings("unchecked")
                CloudEvent<? extends HostCommand> command = (CloudEvent<? extends HostCommand>) event;
                try {
                    accept(command);
                    continue;
                } catch (RejectedRecordException e) {
                    LOG.errorf("dropping unfinished command %s: %s", event.id(), e.reason());
                }
            }
            journal.done(event.id());
        }
        idle(Duration.ofMinutes(5));
        Set<String> running = Set.copyOf(inventory());
        for (Map.Entry<String, GuestPlacement> placed : fleet.placementsOn(host).entrySet()) {
            GuestPlacement p = placed.getValue();
            if (p.phase() == PlacementPhase.RUNNING && !running.contains(placed.getKey())) {
                facts.write(placed.getKey(), p.epoch(), new GuestHalted(host));
            }
        }
        readopt(running);
    }

    /**
     * Re-adopts the guests the hypervisor runs here, checked against their placements: one placed here
     * (or going through a migration here) is this host's again without a word; one placed elsewhere,
     * or placed nowhere, is reported started here (no epoch: the decider adopts a guest placed nowhere,
     * and alerts on a guest it knows elsewhere, a possible second runner to check by hand).
     */
    private void readopt(Set<String> running) {
        for (String guest : running) {
            Optional<GuestPlacement> placed = fleet.placement(guest);
            if (placed.isPresent() && host.equals(placed.get().host())) {
                continue;
            }
            LOG.warnf("guest %s runs here but is placed %s: reporting it started on %s for the engine to judge", guest,
                    placed.map(p -> "on " + p.host() + " as epoch " + p.epoch() + " (" + p.phase() + ")").orElse("nowhere"), host);
            facts.write(guest, null, new GuestStarted(host));
        }
    }

    /** Queues one command behind the earlier ones for the same guest. */
    public void accept(CloudEvent<? extends HostCommand> command) {
        if (!host.equals(command.data().host())) {
            throw new RejectedRecordException("addressed to host " + command.data().host() + ", not " + host);
        }
        String queue = queueOf(command);
        queues.enqueue(queue, () -> retried("command " + command.id(), () -> apply(command)).<Void>handle((done, e) -> {
            if (e != null && !workers.isShutdown()) { // closing cuts retries short: the journal keeps the command
                // The last one first: trouble() reads the count, then it, and must never find a count without it.
                lastGivenUp = command.id() + " (" + EventType.of(command.data()).type() + " for " + queue + "): "
                        + FreeText.clean(String.valueOf(e.getCause() == null ? e : e.getCause()));
                givenUp.incrementAndGet();
                LOG.errorf("command %s failed %d times; it stays in the journal and is applied again when this "
                        + "supervisor restarts", command.id(), settings.commandRetry().attempts());
            }
            return null;
        }));
    }

    /**
     * Runs {@code work} on a worker, and again after a failure: after the first delay, doubling up to
     * the longest, as many attempts as the settings say. The future fails once the last attempt did.
     */
    private CompletableFuture<Void> retried(String what, CheckedRunnable work) {
        HostSettings.Retry retry = settings.commandRetry();
        RetryPolicy<Object> policy = RetryPolicy.builder()
                .withBackoff(retry.firstDelay(), retry.maxDelay())
                .withMaxAttempts(retry.attempts())
                .onRetry(e -> LOG.warnf("%s failed (%s); attempt %d of %d", what, e.getLastException(),
                        e.getAttemptCount() + 1, retry.attempts()))
                .build();
        return Failsafe.with(policy).with(workers).runAsync(work);
    }

    /** Waits until every queued command is applied (or given up); false on timeout. */
    public boolean idle(Duration timeout) {
        return queues.idle(timeout);
    }

    /** Guests (and lost hosts) with commands queued or under way; none once all are done. */
    int queuedGuests() {
        return queues.size();
    }

    /**
     * Why this supervisor is not fully doing its job, if it is not: commands that failed on every
     * attempt since it started (they are applied again at the next start). For the readiness check.
     */
    public Optional<String> trouble() {
        int n = givenUp.get();
        return n == 0 ? Optional.empty() : Optional.of(n + " command(s) failed on every attempt and wait for a "
                + "restart of this supervisor; the last: " + lastGivenUp);
    }

    /** What became of the commands so far, for the metrics. */
    public CommandOutcomes outcomes() {
        return outcomes;
    }

    /** The guests running (or paused) on this host, for its heartbeats. */
    public List<String> inventory() {
        try {
            return hypervisor.list().stream()
                    .filter(d -> d.state() == Hypervisor.State.RUNNING || d.state() == Hypervisor.State.PAUSED)
                    .map(Hypervisor.Domain::guest).sorted().toList();
        } catch (HypervisorException e) {
            LOG.warnf("cannot list this host's guests: %s", e.getMessage());
            return List.of();
        }
    }

    /**
     * Applies one command and marks it done. Throws when it could not (the hypervisor or Kafka failed):
     * it is then left unfinished in the journal, tried again (every action is idempotent) and, if every
     * attempt fails, applied again at the next start.
     */
    private void apply(CloudEvent<? extends HostCommand> command) throws HypervisorException {
        HostCommand data = command.data();
        refusedNow.set(false);
        if (!fleet.awaitPlacementsUpTo(settings.placementWait())) {
            LOG.warnf("placements not read up to their end within %s; checking %s against what was read",
                    settings.placementWait(), command.id());
        }
        data.accept(new HostCommand.Visitor<Step>() {
            @Override
            public Step startGuest(StartGuest start) {
                return () -> start(command, start);
            }

            @Override
            public Step haltGuest(HaltGuest halt) {
                return () -> halt(command, halt);
            }

            @Override
            public Step migrateGuest(MigrateGuest migrate) {
                return () -> migrate(command, migrate);
            }

            @Override
            public Step fenceHost(FenceHost fence) {
                return () -> fence(command, fence);
            }
        }).run();
        journal.done(command.id());
        if (!refusedNow.get()) {
            outcomes.add(data.kind(), CommandOutcomes.Outcome.APPLIED);
        }
    }

    /**
     * A start, as {@link StartAdmission} admits it: the placement rules first, then (unless the guest
     * already runs here: reported started, a command applied again) the second-runner rules, asked
     * again after the next beat of a host whose beat lists the guest.
     */
    private void start(CloudEvent<? extends HostCommand> command, StartGuest start) throws HypervisorException {
        String guest = start.guest();
        Optional<StartAdmission.Refusal> refusal = admission.placement(guest, start.epoch(), fleet.placement(guest));
        if (refusal.isPresent()) {
            refuse(command, guest, start.epoch(), refusal.get());
            return;
        }
        if (runsHere(guest)) {
            facts.answer(command, guest, start.epoch(), new GuestStarted(host)); // started before (a command applied again)
            return;
        }
        refusal = secondRunner(guest);
        if (refusal.isPresent() && refusal.get().runsOn() != null) {
            // Judge by the other host's next beat, not one that may predate its stopping the guest
            // (a fence that just killed it): a host that beats on and lists it still runs it; a host
            // silent for peer-timeout no longer counts, as before.
            fleet.awaitNextBeat(refusal.get().runsOn(), settings.peerTimeout());
            refusal = secondRunner(guest);
        }
        if (refusal.isPresent()) {
            refuse(command, guest, start.epoch(), refusal.get());
            return;
        }
        try {
            hypervisor.start(catalog.definition(guest));
            facts.answer(command, guest, start.epoch(), new GuestStarted(host));
        } catch (HypervisorException e) {
            facts.answer(command, guest, start.epoch(), new GuestStartFailed(host, e.getMessage()));
        }
    }

    private Optional<StartAdmission.Refusal> secondRunner(String guest) {
        return admission.secondRunner(guest, fleet.cannotVouchFor(guest, settings.peerTimeout()),
                fleet.liveBeats(settings.peerTimeout()));
    }

    private void halt(CloudEvent<? extends HostCommand> command, HaltGuest halt) throws HypervisorException {
        String guest = halt.guest();
        if (refusedAsStale(command, guest, halt.epoch())) {
            return;
        }
        acting.add(guest);
        try {
            if (runsHere(guest)) {
                hypervisor.shutdown(guest, settings.haltGrace());
            }
            facts.answer(command, guest, halt.epoch(), new GuestHalted(host));
        } catch (HypervisorException e) {
            facts.answer(command, guest, halt.epoch(), new GuestHaltFailed(host, e.getMessage()));
        } finally {
            acting.remove(guest);
        }
    }

    private void migrate(CloudEvent<? extends HostCommand> command, MigrateGuest migrate) throws HypervisorException {
        String guest = migrate.guest();
        if (refusedAsStale(command, guest, migrate.epoch())) {
            return;
        }
        Hypervisor target;
        try {
            target = peers.apply(migrate.target());
        } catch (RuntimeException e) {
            refuse(command, guest, migrate.epoch(), RefusalReason.TARGET_UNAVAILABLE, e.getMessage());
            return;
        }
        if (!runsHere(guest)) {
            if (target.find(guest).isPresent()) {
                // Moved before a restart cut this command short: report what happened.
                facts.answer(command, guest, migrate.epoch(), new MigrationCompleted(host, migrate.target()));
            } else {
                refuse(command, guest, migrate.epoch(), RefusalReason.NOT_RUNNING_HERE, guest + " does not run on " + host);
            }
            return;
        }
        acting.add(guest);
        try {
            facts.answer(command, guest, migrate.epoch(), new MigrationStarted(host, migrate.target()));
            hypervisor.migrate(guest, target);
            facts.answer(command, guest, migrate.epoch(), new MigrationCompleted(host, migrate.target()));
        } catch (HypervisorException e) {
            facts.answer(command, guest, migrate.epoch(), new MigrationFailed(host, migrate.target(), e.getMessage()));
        } finally {
            acting.remove(guest);
        }
    }

    private void fence(CloudEvent<? extends HostCommand> command, FenceHost fence) {
        String guest = guestOf(command);
        long began = System.nanoTime();
        FenceHook.Outcome outcome = fenceHook.fence(fence.lostHost(), command.time());
        outcomes.fenceTook(System.nanoTime() - began);
        if (outcome.fenced()) {
            // Stamped with the fence command's epoch: a late answer to an older fence changes nothing.
            facts.answer(command, guest, command.epoch(), new HostFenced(fence.lostHost()));
        } else {
            refuse(command, guest, command.epoch(), RefusalReason.FENCE_NOT_CONFIRMED, outcome.detail());
        }
    }

    /** Refuses a command about an older placement than the newest one the engine wrote ({@link StartAdmission#stale}). */
    private boolean refusedAsStale(CloudEvent<? extends HostCommand> command, String guest, long epoch) {
        Optional<StartAdmission.Refusal> stale = StartAdmission.stale(guest, epoch, fleet.placement(guest));
        stale.ifPresent(refusal -> refuse(command, guest, epoch, refusal));
        return stale.isPresent();
    }

    private void refuse(CloudEvent<? extends HostCommand> command, String guest, Long epoch, StartAdmission.Refusal refusal) {
        refuse(command, guest, epoch, refusal.reason(), refusal.detail());
    }

    private void refuse(CloudEvent<? extends HostCommand> command, String guest, Long epoch, RefusalReason why,
                        String detail) {
        CommandKind kind = command.data().kind();
        outcomes.add(kind, CommandOutcomes.Outcome.REFUSED);
        refusedNow.set(true);
        LOG.warnf("refusing %s %s for %s (%s): %s", kind, command.id(), guest, why, detail);
        facts.answer(command, guest, epoch, new CommandRefused(host, command.id(), kind, why, detail));
    }

    private boolean runsHere(String guest) throws HypervisorException {
        return hypervisor.find(guest).filter(d -> d.state() == Hypervisor.State.RUNNING
                || d.state() == Hypervisor.State.PAUSED).isPresent();
    }

    /** A guest that died or shut down without this supervisor asking: the engine must know. */
    private void onDomainEvent(DomainEvent event) {
        boolean down = event.kind() == DomainEvent.Kind.CRASHED || event.kind() == DomainEvent.Kind.STOPPED;
        if (!down || acting.contains(event.guest())) {
            return;
        }
        Optional<GuestPlacement> placement = fleet.placement(event.guest()).filter(p -> host.equals(p.host()));
        if (placement.isEmpty()) {
            LOG.infof("%s ended on %s (%s), but it is not placed here; nothing to report", event.guest(), host, event.kind());
            return;
        }
        String guest = event.guest();
        queues.enqueue(guest, () -> retried("reporting " + guest + " halted",
                () -> facts.write(guest, placement.get().epoch(), new GuestHalted(host))));
    }

    /** The guest a command is about; for a fence, the guest it is done for (the event's {@code guestid}). */
    private static String guestOf(CloudEvent<? extends HostCommand> command) {
        if (command.data().guest() != null) {
            return command.data().guest();
        }
        if (command.guestId() == null) {
            throw new RejectedRecordException("a fence command must name the guest it is for (guestid)");
        }
        return command.guestId();
    }

    /** The queue a command waits in: its guest's, or for a fence the lost host's (one fence of a host at a time). */
    private static String queueOf(CloudEvent<? extends HostCommand> command) {
        return command.data().accept(new HostCommand.Visitor<String>() {
            @Override
            public String startGuest(StartGuest start) {
                return start.guest();
            }

            @Override
            public String haltGuest(HaltGuest halt) {
                return halt.guest();
            }

            @Override
            public String migrateGuest(MigrateGuest migrate) {
                return migrate.guest();
            }

            @Override
            public String fenceHost(FenceHost fence) {
                return "fence:" + fence.lostHost();
            }
        });
    }

    /** One command's work, as the visitor in {@link #apply} picks it. */
    @FunctionalInterface
    private interface Step {
        void run() throws HypervisorException;
    }

    @Override
    public void close() {
        try {
            if (events != null) {
                events.close();
            }
        } catch (Exception e) {
            LOG.debugf("closing the hypervisor listener: %s", e);
        }
        workers.shutdownNow();
    }
}
