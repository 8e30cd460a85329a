package io.guestguard.streams;

import io.guestguard.protocol.FreeText;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidSessionTimeoutException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What a Kafka Streams service does when one of its stream threads dies of an exception that nothing
 * handled (a {@link StreamsUncaughtExceptionHandler}; Quarkus installs the CDI bean of that type).
 * Kafka Streams' default stops the whole client for good; here:
 * <ol>
 *   <li>An exception that may pass (a broker that went away, a fenced producer, a timeout, a record
 *       the dead-letter net could not write) replaces the thread, which rejoins the group and reads on
 *       from the last commit. The first replacement is at once; each further one within
 *       {@link Policy#window()} waits twice as long as the one before, from {@link Policy#firstBackoff()}
 *       up to {@link Policy#maxBackoff()}.</li>
 *   <li>More than {@link Policy#replacements()} failures within the window, or a failure that cannot
 *       pass by waiting (a JVM {@link Error}, the cluster refusing this service's credentials, rights
 *       or session timeout), or the death of the global stream thread, which Kafka Streams cannot
 *       replace, shut the client down and run {@code giveUp}: the services exit, so that their service
 *       manager restarts them (with its own backoff) and the group hands their partitions to another
 *       instance.</li>
 * </ol>
 * Each failure is logged with its response, and counted: {@link #replaced()} and {@link #shutdowns()},
 * also as the JMX bean {@code io.guestguard:type=StreamThreads,service=SERVICE}.
 */
public final class ThreadReplacer implements StreamsUncaughtExceptionHandler {

    /**
     * How often a thread is replaced, and how fast.
     *
     * @param replacements failures answered by a replacement within {@code window}; one more shuts down
     * @param window how far back failures count
     * @param firstBackoff the wait before the second replacement within the window
     * @param maxBackoff the longest wait before a replacement
     */
    public record Policy(int replacements, Duration window, Duration firstBackoff, Duration maxBackoff) {
        /** Five replacements in ten minutes, waiting 0, 0.5, 1, 2 and 4 s: 7.5 s of waiting before giving up. */
        public static final Policy DEFAULT = new Policy(5, Duration.ofMinutes(10), Duration.ofMillis(500), Duration.ofSeconds(10));

        public Policy {
            if (replacements < 0 || window.isNegative() || firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
                throw new IllegalArgumentException("replacements and durations must not be negative, and maxBackoff >= firstBackoff");
            }
        }
    }

    /** The counters, readable over JMX. */
    public interface ThreadFailuresMXBean {
        long getReplaced();

        long getShutdowns();

        String getLastFailure();
    }

    /** Sleeps for the backoff; a test passes one that records instead. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ThreadReplacer.class);

    private final String service;
    private final Policy policy;
    private final Runnable giveUp;
    private final LongSupplier clockMs;
    private final Sleeper sleeper;
    /** Times of the failures within the window, oldest first. Guarded by {@code this}. */
    private final Deque<Long> recent = new ArrayDeque<>();
    private final AtomicLong replaced = new AtomicLong();
    private final AtomicLong shutdowns = new AtomicLong();
    private volatile String lastFailure = "";

    /**
     * @param service the service's name, for the log and the JMX bean
     * @param giveUp what to do once the client is shut down (the services exit)
     */
    public ThreadReplacer(String service, Policy policy, Runnable giveUp) {
        this(service, policy, giveUp, System::currentTimeMillis, d -> Thread.sleep(d.toMillis()));
    }

    ThreadReplacer(String service, Policy policy, Runnable giveUp, LongSupplier clockMs, Sleeper sleeper) {
        this.service = service;
        this.policy = policy;
        this.giveUp = giveUp;
        this.clockMs = clockMs;
        this.sleeper = sleeper;
        registerBean();
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        String what = FreeText.clean(rootCause(exception).toString());
        lastFailure = what;
        String fatal = Thread.currentThread().getName().endsWith("-GlobalStreamThread")
                ? "the global stream thread (the engine's placements view) cannot be replaced, only restarted with its client"
                : fatal(exception);
        int failures = count();
        if (fatal != null || failures > policy.replacements()) {
            shutdowns.incrementAndGet();
            LOG.error("{}: a stream thread died ({}); {}: shutting the Kafka Streams client down and exiting, so that "
                    + "another instance takes its partitions and the service manager restarts this one", service, what,
                    fatal != null ? fatal : failures + " failures within " + policy.window() + ", more than the "
                            + policy.replacements() + " replacements allowed", exception);
            giveUp.run();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Duration backoff = backoff(failures);
        LOG.warn("{}: a stream thread died ({}); replacing it after {} ms (failure {} of at most {} replaced within {})",
                service, what, backoff.toMillis(), failures, policy.replacements(), policy.window(), exception);
        try {
            if (!backoff.isZero()) {
                sleeper.sleep(backoff);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replaced.incrementAndGet();
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Stream threads replaced so far. */
    public long replaced() {
        return replaced.get();
    }

    /** Times the client was shut down (0 or 1 in a process that exits then). */
    public long shutdowns() {
        return shutdowns.get();
    }

    /** Records this failure and returns how many fell within the window, this one included. */
    private synchronized int count() {
        long now = clockMs.getAsLong();
        while (!recent.isEmpty() && recent.peekFirst() <= now - policy.window().toMillis()) {
            recent.removeFirst();
        }
        recent.addLast(now);
        return recent.size();
    }

    /** None for the first failure in the window; then doubling from the first backoff to the longest. */
    Duration backoff(int failures) {
        if (failures <= 1) {
            return Duration.ZERO;
        }
        long ms = policy.firstBackoff().toMillis() << Math.min(failures - 2, 30);
        return Duration.ofMillis(Math.min(ms, policy.maxBackoff().toMillis()));
    }

    /** Why waiting cannot help, or {@code null} if it may. */
    private static String fatal(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error) {
                return "the JVM failed (" + t.getClass().getSimpleName() + ")";
            }
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return "the cluster refuses this service (" + t.getClass().getSimpleName() + "): fix its credentials or ACLs";
            }
            if (t instanceof InvalidSessionTimeoutException) {
                return "the brokers refuse the consumer session timeout: set their group.min.session.timeout.ms at most "
                        + "to the service's kafka-streams.consumer.session.timeout.ms";
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable exception) {
        Throwable t = exception;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The JMX name of {@code service}'s counters. */
    public static ObjectName objectName(String service) throws MalformedObjectNameException {
        return new ObjectName("io.guestguard:type=StreamThreads,service=" + service);
    }

    private void registerBean() {
        ThreadFailuresMXBean bean = new ThreadFailuresMXBean() {
            @Override
            public long getReplaced() {
                return replaced.get();
            }

            @Override
            public long getShutdowns() {
                return shutdowns.get();
            }

            @Override
            public String getLastFailure() {
                return lastFailure;
            }
        };
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = objectName(service);
            StandardMBean mbean = new StandardMBean(bean, ThreadFailuresMXBean.class, true);
            try {
                server.registerMBean(mbean, name);
            } catch (InstanceAlreadyExistsException again) {
                // A second instance in one JVM (tests): the newest one is the one read.
                server.unregisterMBean(name);
                server.registerMBean(mbean, name);
            }
        } catch (JMException e) {
            LOG.warn("{}: the stream thread counters are not on JMX: {}", service, e.toString());
        }
    }
}
