package io.guestguard.reporter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/** The reporter's settings ({@code application.properties}, {@code -D} flags or environment). */
@ConfigMapping(prefix = "guestguard")
public interface ReporterConfig {

    /** Prefix of every GuestGuard topic. */
    @WithName("topic-prefix")
    @WithDefault("guestguard.")
    String topicPrefix();

    Reporter reporter();

    interface Reporter {
        /** The guest's YAML file listing its applications. */
        @WithName("config-file")
        String configFile();

        /** How long a stopped application gets between SIGTERM and SIGKILL. */
        @WithName("stop-grace")
        @WithDefault("5s")
        Duration stopGrace();

        /** How often the guest beats on {@code heartbeats.v1}: its volume across a fleet is this choice. */
        @WithName("heartbeat-interval")
        @WithDefault("1s")
        Duration heartbeatInterval();
    }
}
