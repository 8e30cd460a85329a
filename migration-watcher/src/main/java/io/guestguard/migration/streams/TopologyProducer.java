package io.guestguard.migration.streams;

import io.guestguard.migration.config.WatcherConfig;
import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.WatchSettings;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Trust;
import io.guestguard.streams.ServiceTrust;
import io.guestguard.streams.TrustMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;

/**
 * Hands Quarkus Kafka Streams the watcher's topology, built from configuration; with signatures on,
 * after the key ring is read from the keys topic and the watcher's key from its file, so that a bad
 * setting stops the watcher at start, naming it.
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    @Singleton
    public Trust trust(WatcherConfig config, KafkaClientSettings kafka) {
        return ServiceTrust.open("migration-watcher", config.trust().rootKeyFile(), kafka.properties(),
                new Topics(config.topicPrefix()), new EventCodec());
    }

    void close(@Disposes Trust trust) {
        trust.close();
    }

    @Produces
    public Topology topology(WatcherConfig config, MeterRegistry registry, Trust trust) {
        var w = config.watcher();
        WatchSettings settings;
        try {
            settings = new WatchSettings(w.rebindTimeout(), w.rebindAttempts(), w.blackoutGrace(), w.migrationTimeout(),
                    w.silenceTimeout(), w.startGrace());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("application.properties: guestguard.watcher.*: " + e.getMessage()
                    + "; set guestguard.watcher.rebind-attempts to 1 or more and every timeout to a positive duration, e.g. 2s", e);
        }
        WatcherTrust signing = new WatcherTrust(trust.gate(),
                trust.signer(ServiceTrust.KEY_FILE, config.trust().keyFile().orElse(null), Role.WATCHER));
        WatchMetrics metrics = new WatchMetrics(registry);
        TrustMetrics.serve(registry, trust);
        return WatchTopology.build(new Topics(config.topicPrefix()), new ContactWatcher(settings), new EventCodec(),
                w.checkInterval(), metrics, signing, config.trace().propagate());
    }
}
