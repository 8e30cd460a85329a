package io.guestguard.migration.streams;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher's memory of heartbeats stays within its bound, whatever keys the beats carry. */
class RecentBeatsTest {

    @Test
    void a100000ForgedGuestIdsLeaveAtMostTheBoundAndTheGuestsHeardLatelyAreKept() {
        AtomicLong counted = new AtomicLong();
        long before = usedHeap();
        RecentBeats beats = new RecentBeats(RecentBeats.CAPACITY, counted::incrementAndGet);
        beats.heard("g1", 1);
        for (int i = 0; i < 100_000; i++) {
            beats.heard("forged-" + i, 2 + i);
            if (i % 1_000 == 0) {
                beats.heard("g1", 2 + i); // a real guest beats on among the forged ones
            }
        }
        long after = usedHeap();

        assertThat(beats.size()).isEqualTo(RecentBeats.CAPACITY);
        assertThat(beats.forgotten()).isEqualTo(100_001 - RecentBeats.CAPACITY).isEqualTo(counted.get());
        assertThat(beats.lastHeard("g1")).as("heard within the last 50,000 beats").hasValue(99_002);
        assertThat(beats.lastHeard("forged-0")).as("the least recently heard are forgotten").isEmpty();
        assertThat(beats.lastHeard("forged-99999")).hasValue(100_001);
        System.out.printf("RecentBeats: %d guests remembered after 100,000 forged ids, about %.1f MiB of heap%n",
                beats.size(), (after - before) / 1024.0 / 1024.0);
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
