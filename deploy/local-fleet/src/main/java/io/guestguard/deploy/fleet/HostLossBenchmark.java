package io.guestguard.deploy.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Topics;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Host loss to failover decided, on the running policy engine: for each run a guest is applied to
 * a fresh pair of {@link SyntheticHosts} (beating on {@code host-heartbeats.v1} every 250 ms, the host
 * supervisor's default) and started on the first; then the first host stops beating. Measured: from
 * its last beat (the broker's append time of the last beat it acknowledged) to the moment the
 * engine's decision to fence it (the package waits for fencing) is read back, committed, from
 * {@code decisions.v1}. That covers the engine's host-loss detector noticing the silence, its
 * {@code host.lost} fact, and the decision. Optionally with guest beats written meanwhile at a
 * steady rate ({@link GuestBeatStorm}), which must change nothing: the engine does not read them.
 */
final class HostLossBenchmark {

    static final Duration BEAT = SyntheticHosts.BEAT;

    private final SyntheticHosts hosts;

    HostLossBenchmark(Timeline timeline, String bootstrapServers, Topics topics, FleetKeys keys) {
        this.hosts = new SyntheticHosts(timeline, bootstrapServers, topics, keys);
    }

    /** Milliseconds from the last beat to the committed decision, sorted, one per run. */
    List<Long> run(int runs, PrintStream out) throws Exception {
        List<Long> millis = new ArrayList<>();
        try (hosts) {
            for (int i = 0; i < runs; i++) {
                String run = UUID.randomUUID().toString().substring(0, 8);
                String guest = "hostloss-" + run;
                String primary = "primary-" + run;
                String standby = "standby-" + run;
                hosts.beat(primary);
                hosts.beat(standby);
                hosts.place(guest, primary, standby);
                // Let the detector know the primary for a few beats before it falls silent.
                Thread.sleep(BEAT.toMillis() * 4);
                Instant lastBeat = hosts.stop(primary);
                CloudEvent<?> decided = hosts.next(guest, Decision.Action.FENCE_HOST);
                long ms = Duration.between(lastBeat, Instant.now()).toMillis();
                hosts.stop(standby);
                millis.add(ms);
                out.printf("  run %d: %s silent -> fence decided in %d ms%n", i + 1, primary, ms);
                if (!primary.equals(((Decision) decided.data()).fromHost())) {
                    throw new IllegalStateException("the fence decided is not " + primary + "'s: " + decided);
                }
            }
            List<CloudEvent<?>> falseLosses = hosts.losses().stream()
                    .filter(l -> ((HostLost) l.data()).host().startsWith("standby-")).toList();
            if (!falseLosses.isEmpty()) {
                throw new IllegalStateException("hosts that kept beating were judged lost: " + falseLosses);
            }
        }
        Collections.sort(millis);
        return millis;
    }

    static String summary(List<Long> millis) {
        return String.format(Locale.ROOT, "result: host loss -> failover decided: runs %d  p50 %d ms  max %d ms (target <= 2000 ms)",
                millis.size(), millis.get((millis.size() - 1) / 2), millis.get(millis.size() - 1));
    }
}
