package io.guestguard.policy.engine.config;

import io.guestguard.streams.ServiceTrust;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The policy engine's own settings; Kafka Streams settings live under {@code kafka-streams.*}. */
@ConfigMapping(prefix = "guestguard")
public interface EngineConfig {

    /** Prefix of every GuestGuard topic. */
    @WithName("topic-prefix")
    @WithDefault("guestguard.")
    String topicPrefix();

    Policy policy();

    Trust trust();

    Trace trace();

    /** Traces through the chain (docs/architecture.md, docs/operations.md "Tracing"). */
    interface Trace {
        /**
         * Whether the engine's records (decisions, commands, the detector's facts) carry a
         * {@code traceparent}. Set it to {@code false} only while a fleet rolls from a release before
         * traces: that release's readers refuse a signed {@code traceparent} they do not know.
         */
        @WithName("propagate")
        @WithDefault("true")
        boolean propagate();
    }

    /** Signed provenance (docs/security.md, docs/operations.md): off unless {@code root-key-file} is set. */
    interface Trust extends ServiceTrust.Settings {
        /** The host-loss detector's private key file (role {@code detector}): host losses and its ticks. */
        @WithName("detector-key-file")
        java.util.Optional<java.nio.file.Path> detectorKeyFile();
    }

    interface Policy {
        /** Restarts allowed per application: {@code none}, {@code unlimited} or a number. */
        @WithName("restart-limit")
        @WithDefault("3")
        String restartLimit();

        /** A host whose heartbeats stopped this long ago is lost (its guests fail over). */
        @WithName("host-timeout")
        @WithDefault("1s")
        java.time.Duration hostTimeout();

        /** How often the detector looks for silent hosts. */
        @WithName("host-check-interval")
        @WithDefault("100ms")
        java.time.Duration hostCheckInterval();

        /**
         * How long a host whose supervisor said it leaves (SIGTERM) counts as detached, not lost: its
         * guests keep running meanwhile, an upgrade of the supervisor is no outage.
         */
        @WithName("detach-timeout")
        @WithDefault("10m")
        java.time.Duration detachTimeout();

        /**
         * What a host that left and did not come back within {@code detach-timeout} means: {@code alert}
         * (its guests are held where they are, an ALERT asks the operator to run or halt the host) or
         * {@code fail-over} (lost as a crashed host: fenced, its guests started elsewhere).
         */
        @WithName("detach-expiry")
        @WithDefault("alert")
        DetachExpiry detachExpiry();
    }

    /** {@code guestguard.policy.detach-expiry}. */
    enum DetachExpiry {
        ALERT, FAIL_OVER
    }
}
