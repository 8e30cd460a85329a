package io.guestguard.reporter.app;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RejectedRecordException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/** Records what a supervisor reports, as lines such as {@code started app1 4242} or {@code failed db null monitor: exit 1}. */
final class Recorder implements ApplicationSupervisor.Listener {

    static final Duration DEADLINE = Duration.ofSeconds(30);

    final List<String> events = new CopyOnWriteArrayList<>();
    final List<AppFailed> failures = new CopyOnWriteArrayList<>();
    /** Runs inside {@link #failed}, to observe the world at the moment of the report. */
    volatile Consumer<AppFailed> atFailure = failure -> { };
    /** Called with each start as it is reported, before it is recorded. */
    volatile java.util.function.BiConsumer<String, Long> atStart = (app, pid) -> { };

    /** Facts the wire contract would reject; every test expects none. */
    final List<String> invalid = new CopyOnWriteArrayList<>();
    private final EventCodec codec = new EventCodec();

    @Override
    public void started(String app, Long pid) {
        atStart.accept(app, pid);
        check(new AppStarted(app, pid));
        events.add("started " + app + " " + pid);
    }

    @Override
    public void failed(AppFailed failure) {
        check(failure);
        atFailure.accept(failure);
        failures.add(failure);
        events.add("failed " + failure.app() + " " + failure.pid() + " " + failure.cause());
    }

    @Override
    public void stopped(String app, Long pid) {
        check(new AppStopped(app, pid));
        events.add("stopped " + app + " " + pid);
    }

    /** Round-trips {@code fact} through the real codec, which checks it against its JSON Schema. */
    private void check(Fact fact) {
        try {
            codec.decode(codec.encode(CloudEvent.ofGuest(UUID.randomUUID().toString(), "/guest/g1/reporter", Instant.now(), "g1", fact)));
        } catch (RejectedRecordException e) {
            invalid.add(fact + ": " + e.reason());
        }
    }

    /** Waits for {@code app}'s next {@code started} after the {@code n}-th (0-based) one and returns its pid. */
    Long awaitStarted(String app, int n) {
        String prefix = "started " + app + " ";
        await("start " + n + " of " + app).atMost(DEADLINE)
                .until(() -> events.stream().filter(e -> e.startsWith(prefix)).count() > n);
        String pid = events.stream().filter(e -> e.startsWith(prefix)).skip(n).findFirst().orElseThrow().substring(prefix.length());
        return pid.equals("null") ? null : Long.valueOf(pid);
    }

    Long awaitStarted(String app) {
        return awaitStarted(app, 0);
    }

    AppFailed awaitFailure(String app) {
        await("a failure of " + app).atMost(DEADLINE).until(() -> failures.stream().anyMatch(f -> f.app().equals(app)));
        return failures.stream().filter(f -> f.app().equals(app)).findFirst().orElseThrow();
    }

    void awaitEvent(String event) {
        await(event).atMost(DEADLINE).until(() -> events.contains(event));
    }
}
