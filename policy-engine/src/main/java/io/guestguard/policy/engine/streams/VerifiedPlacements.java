package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * The placements the gate accepted, by guest, with the SHA-256 of the bytes it accepted. Two ways in:
 * {@link #accept} for a record read from {@code placements.v1}, which anyone who can write there may
 * have forged (the gate's whole check, its signature verified: about 65 µs), and {@link #read} for an
 * entry of the engine's placements view, which holds only what {@link #accept} let in (its updater is
 * its only writer, and Kafka Streams restores it through the updater too), so only its signer's key
 * is checked, still registered and not revoked. A restarted engine counts the view it kept on disk
 * for {@code min_package_node} without verifying a signature per guest. An entry whose bytes are those
 * already accepted is not checked again (a digest costs a few microseconds): a scan (a host lost, the
 * count) reads every entry. Shared by the tasks of an instance (thread-safe), as the global store is.
 *
 * <p>A key revoked after a placement was accepted un-accepts it: every accepted placement is
 * forgotten when the key ring's count of revocations changes, and its key checked again at its next read.
 */
final class VerifiedPlacements {

    private record Accepted(byte[] digest, GuestPlacement placement) {
    }

    /** The gate's whole check of a record from the topic. */
    private final BiFunction<String, byte[], GuestPlacement> gate;
    /** The gate's check of a view entry: decoded, its signer's key still trusted. */
    private final BiFunction<String, byte[], GuestPlacement> stored;
    /** The key ring's count of revocations. */
    private final LongSupplier revocations;
    private final Map<String, Accepted> accepted = new ConcurrentHashMap<>();
    /** The count of revocations the accepted placements were checked under. */
    private final AtomicLong acceptedUnder = new AtomicLong();

    VerifiedPlacements(RecordGate gate) {
        this((guest, value) -> gate.placement(guest, value).data(), gate::acceptedPlacement,
                gate::revocations);
    }

    VerifiedPlacements(BiFunction<String, byte[], GuestPlacement> gate, BiFunction<String, byte[], GuestPlacement> stored,
                       LongSupplier revocations) {
        this.gate = gate;
        this.stored = stored;
        this.revocations = revocations;
    }

    /**
     * The placement a record of {@code placements.v1} holds for {@code guest}, its signature verified.
     *
     * @throws RejectedRecordException with the gate's reason, when it cannot be read or its signer trusted
     */
    GuestPlacement accept(String guest, byte[] value) {
        return checked(guest, value, gate);
    }

    /**
     * The placement an entry of the placements view holds for {@code guest}: accepted by {@link #accept}
     * when it was put there, so only its signer's key is checked again.
     *
     * @throws RejectedRecordException with the gate's reason, when it cannot be read or its key is gone or revoked
     */
    GuestPlacement read(String guest, byte[] value) {
        return checked(guest, value, stored);
    }

    private GuestPlacement checked(String guest, byte[] value, BiFunction<String, byte[], GuestPlacement> check) {
        long revoked = revocations.getAsLong();
        if (acceptedUnder.getAndSet(revoked) != revoked) {
            accepted.clear();
        }
        byte[] digest = sha256(value);
        Accepted known = accepted.get(guest);
        if (known != null && MessageDigest.isEqual(known.digest(), digest)) {
            return known.placement();
        }
        try {
            GuestPlacement placement = check.apply(guest, value);
            accepted.put(guest, new Accepted(digest, placement));
            return placement;
        } catch (RejectedRecordException e) {
            accepted.remove(guest);
            throw e;
        }
    }

    /** One digest per thread (the global thread, each stream thread): not looked up among the providers per record. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private static byte[] sha256(byte[] value) {
        return SHA256.get().digest(value); // digest() resets it for the next value
    }
}
