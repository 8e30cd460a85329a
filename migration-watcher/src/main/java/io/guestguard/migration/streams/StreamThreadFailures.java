package io.guestguard.migration.streams;

import io.guestguard.streams.ThreadReplacer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * What the watcher does when a stream thread dies: replace it, with a backoff and a limit, then exit
 * ({@link ThreadReplacer}; Quarkus hands this bean to Kafka Streams). Counted on {@code /q/metrics} as
 * {@code guestguard_streams_threads_total{outcome="replaced"|"shutdown"}}.
 */
@ApplicationScoped
public class StreamThreadFailures {

    @Produces
    @Singleton
    public StreamsUncaughtExceptionHandler threadReplacer(MeterRegistry registry) {
        ThreadReplacer replacer = new ThreadReplacer("migration-watcher", ThreadReplacer.Policy.DEFAULT, () -> Quarkus.asyncExit(1));
        FunctionCounter.builder("guestguard.streams.threads", replacer, ThreadReplacer::replaced)
                .description("stream threads that died of an unhandled exception, by what was done").tag("outcome", "replaced")
                .register(registry);
        FunctionCounter.builder("guestguard.streams.threads", replacer, ThreadReplacer::shutdowns)
                .description("stream threads that died of an unhandled exception, by what was done").tag("outcome", "shutdown")
                .register(registry);
        return replacer;
    }
}
