package io.guestguard.host.supervisor;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs work one after the other per key (a guest, or a lost host for fences), different keys in
 * parallel. A key is forgotten as soon as its last work ended: commands name any guest they like, so
 * the keys they bring leave nothing behind. Work that fails does not hold up the work queued after it.
 */
final class GuestQueues {

    private static final Logger LOG = Logger.getLogger(GuestQueues.class);

    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private final Executor executor;

    GuestQueues(Executor executor) {
        this.executor = executor;
    }

    /**
     * Runs {@code work} on the executor once everything queued before it under {@code key} ended;
     * {@code work} returns a future that completes when it is finished (its retries included).
     */
    CompletableFuture<Void> enqueue(String key, Supplier<CompletableFuture<Void>> work) {
        CompletableFuture<Void> tail = tails.compute(key, (k, before) ->
                (before == null ? CompletableFuture.<Void>completedFuture(null) : before)
                        .thenComposeAsync(ignored -> work.get(), executor)
                        .exceptionally(e -> {
                            LOG.errorf(e, "queued work for %s failed", key);
                            return null;
                        }));
        tail.whenComplete((ignored, e) -> tails.remove(key, tail)); // idle: forget the key
        return tail;
    }

    /** The keys with work queued or running. */
    int size() {
        return tails.size();
    }

    /** Waits until every queued work ended; false on timeout. */
    boolean idle(Duration timeout) {
        try {
            CompletableFuture.allOf(tails.values().toArray(CompletableFuture[]::new)).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // each tail handles its own failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
