package io.guestguard.deploy.sim;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.GuestCommand;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StopApp;
import io.guestguard.protocol.Traceparent;

import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The simulated guests' reporters: a reporter's facts when its guest starts ({@code reporter.started},
 * then each application's {@code app.started}), application failures on the simulator's schedule,
 * beats for every running guest, and the answers to guest commands: a restart or start is an
 * {@code app.started} with a new pid, a stop an {@code app.stopped}, a rebind a {@code rebound} with
 * the next sequence number (the append time of the one answering a wave's migration is recorded in
 * {@link Migrations}). A restart with a delay is answered at once: the simulator measures the
 * engine, not the backoff.
 */
final class Reporters {

    private final Map<String, SimGuest> guests;
    private final Wire wire;
    private final Failures failures;
    private final Migrations migrations;
    private final AtomicLong pids = new AtomicLong(1000);
    private final AtomicLong commandsAnswered = new AtomicLong();

    Reporters(Map<String, SimGuest> guests, Wire wire, Failures failures, Migrations migrations) {
        this.guests = guests;
        this.wire = wire;
        this.failures = failures;
        this.migrations = migrations;
    }

    /** {@code guest} booted on its host: its reporter starts and starts every application. */
    void booted(SimGuest guest) {
        synchronized (guest) {
            guest.running = true;
            wire.guestFact(guest, new ReporterStarted(0, 0), Traceparent.start(), at -> { });
            for (int i = 0; i < guest.apps.length; i++) {
                startApp(guest, i, Traceparent.start(), at -> { });
            }
        }
    }

    /** {@code guest} is gone from its host (halted, fenced, migrated away and not yet back): it is silent. */
    void gone(SimGuest guest) {
        synchronized (guest) {
            guest.running = false;
        }
    }

    /**
     * Fails application {@code app} of {@code guest} as a {@code kill -9} would; false if it is not up
     * (still restarting, or the guest not running), so the schedule picks another.
     */
    boolean fail(SimGuest guest, int app, String phase) {
        synchronized (guest) {
            if (!guest.running || !guest.up[app]) {
                return false;
            }
            guest.up[app] = false;
            AppFailed fact = AppFailed.killed(guest.apps[app], guest.pids[app], "KILL");
            String id = UUID.randomUUID().toString();
            Failures.Failure failure = failures.failing(id, guest.id, guest.apps[app], phase);
            wire.guestFact(guest, id, seq -> fact, Traceparent.start(), at -> failure.failedAt = at);
            return true;
        }
    }

    /** Beats for every running guest in {@code slice}. */
    void beat(Collection<SimGuest> slice) {
        for (SimGuest guest : slice) {
            if (guest.running) {
                wire.guestBeat(guest.id);
            }
        }
    }

    /** A guest command, as the reporter of the guest it is keyed by would apply it. */
    void command(CloudEvent<? extends GuestCommand> command) {
        SimGuest guest = guests.get(command.guestId());
        if (guest == null) {
            return;
        }
        synchronized (guest) {
            if (!guest.running) {
                return; // no reporter runs to read it
            }
            Traceparent trace = Wire.answering(command);
            GuestCommand data = command.data();
            if (data instanceof RestartApp restart) {
                restart(guest, restart.app(), trace);
            } else if (data instanceof StartApp start) {
                restart(guest, start.app(), trace);
            } else if (data instanceof StopApp stop && guest.indexOf(stop.app()) >= 0) {
                int app = guest.indexOf(stop.app());
                guest.up[app] = false;
                wire.guestFact(guest, new AppStopped(stop.app(), guest.pids[app]), trace, at -> { });
            } else if (data instanceof Rebind rebind) {
                Migrations.Migration migration = migrations.rebind(rebind.decisionId());
                wire.guestFact(guest, UUID.randomUUID().toString(),
                        seq -> new Rebound(command.id(), rebind.host(), rebind.epoch(), seq + 1, 0, false), trace, at -> {
                            if (migration != null && migration.reboundAt == 0) {
                                migration.reboundAt = at;
                            }
                        });
            }
            commandsAnswered.incrementAndGet();
        }
    }

    long commandsAnswered() {
        return commandsAnswered.get();
    }

    private void restart(SimGuest guest, String app, Traceparent trace) {
        int index = guest.indexOf(app);
        if (index < 0) {
            return;
        }
        Failures.Failure failure = failures.restarted(guest.id, app);
        startApp(guest, index, trace, at -> {
            if (failure != null) {
                failure.appliedAt = at;
            }
        });
    }

    private void startApp(SimGuest guest, int app, Traceparent trace, LongConsumer appendedAt) {
        guest.pids[app] = pids.incrementAndGet();
        guest.up[app] = true;
        wire.guestFact(guest, new AppStarted(guest.apps[app], guest.pids[app]), trace, appendedAt);
    }
}
