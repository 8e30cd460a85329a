package io.guestguard.deploy.fleet;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Guest beats at a steady rate in the background while a measurement runs: a fleet of 10,000 guests
 * beating {@code perSecond} times a second in all. {@link #report} says what rate was reached and
 * how far behind the migration watcher, the beats' one reader, is.
 */
final class GuestBeatLoad implements AutoCloseable {

    private static final int GUESTS = 10_000;

    private final LocalFleet fleet;
    private final GuestBeatStorm storm;
    private final CompletableFuture<GuestBeatStorm.Result> written;

    private GuestBeatLoad(LocalFleet fleet, int perSecond) {
        this.fleet = fleet;
        this.storm = new GuestBeatStorm(fleet.bootstrapServers(), fleet.topics());
        this.written = perSecond == 0 ? CompletableFuture.completedFuture(null) : CompletableFuture.supplyAsync(() -> {
            try {
                return storm.write(GUESTS, Integer.MAX_VALUE, perSecond);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        });
    }

    /** Starts writing {@code perSecond} guest beats a second; none for 0. */
    static GuestBeatLoad start(LocalFleet fleet, int perSecond) {
        return new GuestBeatLoad(fleet, perSecond);
    }

    /** Stops the load and prints the rate it reached and the watcher's backlog then (nothing if there was no load). */
    void report(PrintStream out) {
        GuestBeatStorm.Result result = stop();
        if (result != null) {
            out.printf(Locale.ROOT, "guest beats: %s; the migration watcher had %,d of them still to read at the end%n",
                    result.summary(), GroupLag.of(fleet.bootstrapServers(), LocalFleet.WATCHER_APPLICATION_ID,
                            fleet.topics().heartbeats()));
        }
    }

    private GuestBeatStorm.Result stop() {
        storm.stop();
        try {
            return written.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the guest-beat load failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        storm.stop();
    }
}
