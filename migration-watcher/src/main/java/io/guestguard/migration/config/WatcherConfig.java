package io.guestguard.migration.config;

import io.guestguard.streams.ServiceTrust;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/** The migration watcher's settings ({@code guestguard.*}); see docs/operations.md. */
@ConfigMapping(prefix = "guestguard")
public interface WatcherConfig {

    @WithName("topic-prefix")
    @WithDefault("guestguard.")
    String topicPrefix();

    Watcher watcher();

    /** Signed provenance (docs/security.md, docs/operations.md): off unless {@code root-key-file} is set. */
    ServiceTrust.Settings trust();

    Trace trace();

    /** Traces through the chain (docs/architecture.md, docs/operations.md "Tracing"). */
    interface Trace {
        /**
         * Whether rebinds and {@code contact-lost} facts carry a {@code traceparent}: {@code false}
         * only while a fleet rolls from a release before traces, whose readers refuse one.
         */
        @WithName("propagate")
        @WithDefault("true")
        boolean propagate();
    }

    interface Watcher {
        /** How long to wait for {@code rebound}, or for a gap to heal, before rebinding again. */
        @WithName("rebind-timeout")
        @WithDefault("2s")
        Duration rebindTimeout();

        /** Rebinds sent in all before contact counts as lost. */
        @WithName("rebind-attempts")
        @WithDefault("3")
        int rebindAttempts();

        /** How long after a migration ends silence still counts as the migration's. */
        @WithName("blackout-grace")
        @WithDefault("2s")
        Duration blackoutGrace();

        /** A migration neither completed nor failed by then is abandoned. */
        @WithName("migration-timeout")
        @WithDefault("2m")
        Duration migrationTimeout();

        /** A running guest silent this long outside a blackout is checked. */
        @WithName("silence-timeout")
        @WithDefault("10s")
        Duration silenceTimeout();

        /** After a guest starts, how long its reporter may take to be heard. */
        @WithName("start-grace")
        @WithDefault("30s")
        Duration startGrace();

        /** How often deadlines are looked at. */
        @WithName("check-interval")
        @WithDefault("100ms")
        Duration checkInterval();
    }
}
