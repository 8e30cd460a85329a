package io.guestguard.policy.engine.streams;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code guestguard_host_beat_age_seconds{host}}: how long ago each host watched by this instance's
 * host-loss detector last beat, on the detector's own clock of the host's partition (the broker's time
 * as its ticks carry it: what it judges a loss by), as of its last tick. A host has a series while this
 * instance reads its partition and the host has not left: its supervisor's leaving, or the partition
 * moving to another instance, removes it, so the label set stays as large as the fleet at most. A host
 * lost while watched keeps its series until it beats again (growing while the partition's clock moves,
 * that is while another of its hosts is live); one that left stays without.
 */
final class HostBeatAges {

    private record Watched(int partition, AtomicLong ageMs, Gauge gauge) {
    }

    private final MeterRegistry registry;
    private final Map<String, Watched> hosts = new ConcurrentHashMap<>();

    HostBeatAges(MeterRegistry registry) {
        this.registry = registry;
    }

    /** {@code host}, of detector partition {@code partition}, last beat {@code ageMs} ago on that partition's clock. */
    void observe(int partition, String host, long ageMs) {
        hosts.computeIfAbsent(host, h -> {
            AtomicLong age = new AtomicLong();
            Gauge gauge = Gauge.builder("guestguard.host.beat.age", age, a -> a.get() / 1000.0).strongReference(true)
                    .baseUnit("seconds").description("time since the host's last beat, on the host-loss detector's clock")
                    .tag("host", h).register(registry);
            return new Watched(partition, age, gauge);
        }).ageMs().set(Math.max(0, ageMs));
    }

    /** As {@link #observe}, for a host that has a series only: a lost one, if it had one when it was lost. */
    void refresh(String host, long ageMs) {
        Watched watched = hosts.get(host);
        if (watched != null) {
            watched.ageMs().set(Math.max(0, ageMs));
        }
    }

    /** {@code host} left: no series for it until it beats again. */
    void forget(String host) {
        Watched gone = hosts.remove(host);
        if (gone != null) {
            registry.remove(gone.gauge());
        }
    }

    /** This instance no longer reads {@code partition} (its task closed): its hosts are another's to watch. */
    void forgetPartition(int partition) {
        hosts.entrySet().removeIf(e -> {
            if (e.getValue().partition() != partition) {
                return false;
            }
            registry.remove(e.getValue().gauge());
            return true;
        });
    }
}
