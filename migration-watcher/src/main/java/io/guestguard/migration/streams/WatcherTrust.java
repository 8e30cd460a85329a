package io.guestguard.migration.streams;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.trust.Signer;

/**
 * What the watcher reads through (facts and guest beats) and signs its rebinds and
 * {@code contact-lost} facts with.
 */
public record WatcherTrust(RecordGate gate, Signer signer) {

    /** Nothing signed or checked: the fleet has not turned signatures on. */
    public static WatcherTrust off(EventCodec codec) {
        return new WatcherTrust(new RecordGate(codec), Signer.unsigned(codec));
    }
}
