package io.guestguard.migration.streams;

import io.guestguard.migration.config.WatcherConfig;
import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.WatchSettings;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** Hands Quarkus Kafka Streams the watcher's topology, built from configuration. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    public Topology topology(WatcherConfig config, MeterRegistry registry) {
        var w = config.watcher();
        WatchSettings settings;
        try {
            settings = new WatchSettings(w.rebindTimeout(), w.rebindAttempts(), w.blackoutGrace(), w.migrationTimeout(),
                    w.silenceTimeout(), w.startGrace());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("application.properties: guestguard.watcher.*: " + e.getMessage()
                    + "; set guestguard.watcher.rebind-attempts to 1 or more and every timeout to a positive duration, e.g. 2s", e);
        }
        return WatchTopology.build(new Topics(config.topicPrefix()), new ContactWatcher(settings), new EventCodec(),
                w.checkInterval(), new WatchMetrics(registry));
    }
}
