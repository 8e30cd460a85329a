package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

import java.util.function.BiConsumer;

/**
 * The engine's global placements view: each guest's newest placement the view's updater accepted from
 * {@code placements.v1} (in {@link DecisionTopology}). What cannot be read back, or whose signer's key
 * was revoked since, is skipped. A scan logs one line for all it skipped, so that a view full of
 * unreadable entries cannot turn each decision into thousands of log lines. The entries are read
 * through {@link VerifiedPlacements#read}, so bytes already read are not decoded again.
 */
final class PlacementsView {

    private static final Logger LOG = Logger.getLogger(PlacementsView.class);

    private final ReadOnlyKeyValueStore<String, byte[]> store;
    private final VerifiedPlacements verified;

    PlacementsView(ReadOnlyKeyValueStore<String, byte[]> store, RecordGate gate) {
        this(store, new VerifiedPlacements(gate));
    }

    PlacementsView(ReadOnlyKeyValueStore<String, byte[]> store, VerifiedPlacements verified) {
        this.store = store;
        this.verified = verified;
    }

    /** The guest's placement as last published, or {@code null} if none is known or it cannot be read. */
    GuestPlacement get(String guest) {
        byte[] placed = store.get(guest);
        if (placed == null) {
            return null;
        }
        try {
            return verified.read(guest, placed);
        } catch (RejectedRecordException e) {
            LOG.warnf("placements view: the published placement of %s is unreadable: %s", guest, e.reason());
            return null;
        }
    }

    /** Gives {@code action} every readable placement, keyed by guest. */
    void forEach(BiConsumer<String, GuestPlacement> action) {
        long skipped = 0;
        String first = null;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                GuestPlacement placement;
                try {
                    placement = verified.read(entry.key, entry.value);
                } catch (RejectedRecordException e) {
                    if (skipped++ == 0) {
                        first = entry.key + ": " + e.reason();
                    }
                    continue;
                }
                action.accept(entry.key, placement);
            }
        }
        if (skipped > 0) {
            LOG.warnf("placements view: skipped %d unreadable placement(s), the first of %s", skipped, first);
        }
    }
}
