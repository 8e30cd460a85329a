package io.guestguard.host.supervisor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The supervisor's per-guest queues: in order per guest, and nothing kept for a guest once idle. */
class GuestQueuesTest {

    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private final GuestQueues queues = new GuestQueues(workers);

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void workForOneGuestRunsInOrderEvenAfterAFailure() {
        List<String> done = new CopyOnWriteArrayList<>();
        queues.enqueue("g1", () -> CompletableFuture.runAsync(() -> done.add("start"), workers));
        queues.enqueue("g1", () -> CompletableFuture.failedFuture(new IllegalStateException("hypervisor gone")));
        queues.enqueue("g1", () -> {
            throw new IllegalStateException("thrown before any future");
        });
        queues.enqueue("g1", () -> CompletableFuture.runAsync(() -> done.add("halt"), workers));

        assertThat(queues.idle(Duration.ofSeconds(10))).isTrue();
        assertThat(done).containsExactly("start", "halt");
        await().atMost(Duration.ofSeconds(10)).until(() -> queues.size() == 0);
    }

    @Test
    void a100000ForgedGuestsLeaveNoQueueBehind() {
        long before = usedHeap();
        for (int i = 0; i < 100_000; i++) {
            queues.enqueue("forged-" + i, () -> CompletableFuture.completedFuture(null));
        }
        assertThat(queues.idle(Duration.ofSeconds(30))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> queues.size() == 0);
        long after = usedHeap();

        System.out.printf("GuestQueues: %d queues kept after 100,000 forged guests, heap %+.1f MiB%n", queues.size(),
                (after - before) / 1024.0 / 1024.0);
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
