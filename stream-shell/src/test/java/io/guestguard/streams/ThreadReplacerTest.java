package io.guestguard.streams;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

class ThreadReplacerTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<Duration> waited = new ArrayList<>();
    private final AtomicInteger gaveUp = new AtomicInteger();
    private final ThreadReplacer replacer = new ThreadReplacer("test-service",
            new ThreadReplacer.Policy(3, Duration.ofMinutes(1), Duration.ofMillis(500), Duration.ofSeconds(1)),
            gaveUp::incrementAndGet, now::get, waited::add);

    @Test
    void transientFailuresReplaceTheThreadWithAGrowingBackoffUpToTheLimitThenTheClientStops() {
        StreamsException failure = new StreamsException("commit failed", new TimeoutException("broker went away"));

        assertThat(replacer.handle(failure)).isEqualTo(REPLACE_THREAD);
        assertThat(replacer.handle(failure)).isEqualTo(REPLACE_THREAD);
        assertThat(replacer.handle(failure)).isEqualTo(REPLACE_THREAD);
        assertThat(waited).as("at once, then doubling, capped").containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(gaveUp).hasValue(0);

        assertThat(replacer.handle(failure)).as("a fourth failure within the window").isEqualTo(SHUTDOWN_CLIENT);
        assertThat(gaveUp).hasValue(1);
        assertThat(replacer.replaced()).isEqualTo(3);
        assertThat(replacer.shutdowns()).isEqualTo(1);
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        StreamsException failure = new StreamsException("fenced");
        for (int i = 0; i < 10; i++) {
            assertThat(replacer.handle(failure)).isEqualTo(REPLACE_THREAD);
            now.addAndGet(Duration.ofSeconds(30).toMillis()); // two per window
        }
        assertThat(gaveUp).hasValue(0);
        assertThat(replacer.replaced()).isEqualTo(10);
    }

    @Test
    void whatWaitingCannotMendStopsAtOnce() {
        assertThat(replacer.handle(new StreamsException(new OutOfMemoryError("heap")))).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(replacer.handle(new StreamsException(new SaslAuthenticationException("bad password")))).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(replacer.replaced()).isZero();
        assertThat(gaveUp).hasValue(2);
    }

    @Test
    void theGlobalStreamThreadCannotBeReplacedSoTheServiceExits() throws Exception {
        var response = new java.util.concurrent.atomic.AtomicReference<Object>();
        Thread global = new Thread(() -> response.set(replacer.handle(new StreamsException("view failed"))), "svc-GlobalStreamThread");
        global.start();
        global.join();

        assertThat(response.get()).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(gaveUp).hasValue(1);
    }

    @Test
    void theCountersAreOnJmx() throws Exception {
        replacer.handle(new StreamsException("once"));

        var server = ManagementFactory.getPlatformMBeanServer();
        assertThat(server.getAttribute(ThreadReplacer.objectName("test-service"), "Replaced")).isEqualTo(1L);
        assertThat(server.getAttribute(ThreadReplacer.objectName("test-service"), "LastFailure"))
                .isEqualTo("org.apache.kafka.streams.errors.StreamsException: once");
    }
}
