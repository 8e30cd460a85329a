package io.guestguard.deploy.sim;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.admission.StartAdmission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated hosts' supervisors: each beats listing the guests that run on it, and answers the
 * host commands keyed by it as the real supervisor does, judged by the same rules
 * ({@link StartAdmission}, against the newest placement the engine published): start
 * ({@code guest.started}, the guest's reporter then boots), halt ({@code guest.halted}), migrate
 * ({@code migration.started}, then {@link #MIGRATION_TIME} later, unless the source hung meanwhile, the
 * guest moves and {@code migration.completed}) and fence
 * ({@code host.fenced}: the lost host's guests are gone), or a {@code host.command-refused}. A lost
 * host ({@link #lose}) neither beats nor answers, and its guests run on until it is fenced, as on a
 * hung host.
 */
final class Supervisors {

    private final List<String> hosts;
    private final Map<String, SimGuest> guests;
    private final Wire wire;
    private final Reporters reporters;
    private final Migrations migrations;
    /** Where the live migrations' ends are scheduled. */
    private final ScheduledExecutorService copying;
    private final Map<String, StartAdmission> admissions = new HashMap<>();
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> lastBeatAt = new ConcurrentHashMap<>();
    /** The newest placement of each guest the engine published (placements.v1), as the real fleet watch keeps it. */
    private final Map<String, GuestPlacement> placements = new ConcurrentHashMap<>();
    /** Each guest's newest {@code guest.started}: its host and append time. */
    private final Map<String, Started> started = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    /**
     * How long a live migration takes, from {@code migration.started} to {@code migration.completed}: a
     * small guest's memory copy. The guest runs on its source meanwhile (its host lists it, its
     * applications can fail), so the engine's and the watcher's handling of a migrating guest is exercised.
     */
    static final Duration MIGRATION_TIME = Duration.ofMillis(500);

    record Started(String host, long at) {
    }

    Supervisors(List<String> hosts, Map<String, SimGuest> guests, Wire wire, Reporters reporters, Migrations migrations,
                ScheduledExecutorService copying) {
        this.hosts = List.copyOf(hosts);
        this.guests = guests;
        this.wire = wire;
        this.reporters = reporters;
        this.migrations = migrations;
        this.copying = copying;
        hosts.forEach(host -> {
            admissions.put(host, new StartAdmission(host));
            lastBeatAt.put(host, new AtomicLong());
        });
    }

    /** One beat of every host that is not lost, each listing the guests running on it. */
    void beat() {
        Map<String, List<String>> running = new HashMap<>();
        for (SimGuest guest : guests.values()) {
            if (guest.running) {
                running.computeIfAbsent(guest.host, h -> new ArrayList<>()).add(guest.id);
            }
        }
        for (String host : hosts) {
            if (!lost.contains(host)) {
                AtomicLong last = lastBeatAt.get(host);
                wire.hostBeat(host, running.getOrDefault(host, List.of()), at -> last.accumulateAndGet(at, Math::max));
            }
        }
    }

    /** {@code host} hangs from now on: no beats, no answers. Returns its guests then. */
    List<SimGuest> lose(String host) {
        lost.add(host);
        return guests.values().stream().filter(g -> g.running && host.equals(g.host)).toList();
    }

    /** The append time of {@code host}'s last acknowledged beat. */
    long lastBeatAt(String host) {
        return lastBeatAt.get(host).get();
    }

    Optional<Started> started(String guest) {
        return Optional.ofNullable(started.get(guest));
    }

    long refused() {
        return refused.get();
    }

    void placement(CloudEvent<?> event) {
        placements.merge(event.guestId(), (GuestPlacement) event.data(), (old, now) -> now.epoch() >= old.epoch() ? now : old);
    }

    /** A host command, as the supervisor of the host it is keyed by would apply it. */
    void command(CloudEvent<? extends HostCommand> command) {
        HostCommand data = command.data();
        String host = data.host();
        if (host == null || lost.contains(host) || !admissions.containsKey(host)) {
            return;
        }
        SimGuest guest = guests.get(command.guestId());
        if (guest == null) {
            return;
        }
        Traceparent trace = Wire.answering(command);
        synchronized (guest) {
            if (data instanceof StartGuest start) {
                start(host, guest, command, start, trace);
            } else if (data instanceof HaltGuest halt) {
                if (!refusedAsStale(host, guest, command, halt.epoch(), trace)) {
                    if (guest.running && host.equals(guest.host)) {
                        reporters.gone(guest);
                    }
                    wire.hostFact(host, guest.id, halt.epoch(), new GuestHalted(host), trace, at -> { });
                }
            } else if (data instanceof MigrateGuest migrate) {
                migrate(host, guest, command, migrate, trace);
            } else if (data instanceof FenceHost fence) {
                fence(host, guest, command, fence, trace);
            }
        }
    }

    private void start(String host, SimGuest guest, CloudEvent<?> command, StartGuest start, Traceparent trace) {
        StartAdmission admission = admissions.get(host);
        Optional<StartAdmission.Refusal> refusal = admission.placement(guest.id, start.epoch(), placement(guest));
        boolean runsHere = guest.running && host.equals(guest.host);
        if (refusal.isEmpty() && !runsHere && guest.running && !lost.contains(guest.host)) {
            // The other host beats and lists it (a lost host's beats have stopped: it counts no more).
            refusal = admission.secondRunner(guest.id, Optional.empty(), Map.of(guest.host, List.of(guest.id)));
        }
        if (refusal.isPresent()) {
            refuse(host, guest, command, start.epoch(), refusal.get().reason(), refusal.get().detail(), trace);
            return;
        }
        guest.host = host;
        guest.epoch = start.epoch();
        wire.hostFact(host, guest.id, start.epoch(), new GuestStarted(host), trace,
                at -> started.put(guest.id, new Started(host, at)));
        if (!runsHere) {
            reporters.booted(guest);
        }
    }

    private void migrate(String host, SimGuest guest, CloudEvent<?> command, MigrateGuest migrate, Traceparent trace) {
        if (refusedAsStale(host, guest, command, migrate.epoch(), trace)) {
            return;
        }
        if (!guest.running || !host.equals(guest.host)) {
            refuse(host, guest, command, migrate.epoch(), RefusalReason.NOT_RUNNING_HERE, guest.id + " does not run on " + host, trace);
            return;
        }
        Migrations.Migration wave = migrations.moving(guest.id);
        wire.hostFact(host, guest.id, migrate.epoch(), new MigrationStarted(host, migrate.target()), trace, at -> {
            if (wave != null) {
                wave.startedAt = at;
            }
        });
        migrations.whileMigrating(guest, wave);
        copying.schedule(() -> complete(host, guest, migrate, trace), MIGRATION_TIME.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The end of a live migration: the guest runs on the target from now, unless its source hung or it stopped meanwhile. */
    private void complete(String host, SimGuest guest, MigrateGuest migrate, Traceparent trace) {
        synchronized (guest) {
            if (lost.contains(host) || !guest.running || !host.equals(guest.host)) {
                return; // no migration.completed: the watcher abandons it after its migration timeout
            }
            guest.host = migrate.target();
            guest.epoch = migrate.epoch() + 1; // as the engine places it
            String id = UUID.randomUUID().toString();
            Migrations.Migration wave = migrations.completing(guest.id, id);
            wire.hostFact(host, guest.id, id, migrate.epoch(), new MigrationCompleted(host, migrate.target()), trace, at -> {
                if (wave != null) {
                    wave.completedAt = at;
                }
            });
            migrations.justMigrated(guest, wave);
        }
    }

    private void fence(String host, SimGuest guest, CloudEvent<?> command, FenceHost fence, Traceparent trace) {
        // The fence hook kills whatever runs on the lost host: its guests are gone.
        for (SimGuest victim : guests.values()) {
            if (victim.running && fence.lostHost().equals(victim.host)) {
                reporters.gone(victim);
            }
        }
        wire.hostFact(host, guest.id, command.epoch(), new HostFenced(fence.lostHost()), trace, at -> { });
    }

    private boolean refusedAsStale(String host, SimGuest guest, CloudEvent<?> command, long epoch, Traceparent trace) {
        Optional<StartAdmission.Refusal> stale = StartAdmission.stale(guest.id, epoch, placement(guest));
        stale.ifPresent(r -> refuse(host, guest, command, epoch, r.reason(), r.detail(), trace));
        return stale.isPresent();
    }

    private Optional<GuestPlacement> placement(SimGuest guest) {
        return Optional.ofNullable(placements.get(guest.id));
    }

    private void refuse(String host, SimGuest guest, CloudEvent<?> command, Long epoch, RefusalReason why, String detail,
                        Traceparent trace) {
        refused.incrementAndGet();
        wire.hostFact(host, guest.id, epoch, new CommandRefused(host, command.id(), ((HostCommand) command.data()).kind(),
                why, detail), trace, at -> { });
    }
}
