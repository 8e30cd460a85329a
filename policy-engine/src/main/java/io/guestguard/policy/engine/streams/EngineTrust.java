package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.trust.Signer;

/**
 * What the engine's topology reads through and signs with: one gate for every record it reads (the
 * guest log, the hosts' beats and its own ticks, the placements view), the engine's key for its
 * commands, decisions, placements and deadlines, and the host-loss detector's own key for host
 * losses and its ticks (docs/security.md: each may emit only its own). The verified placements are
 * shared by every task of an instance, as the global view they cache is.
 */
public final class EngineTrust {

    private final RecordGate gate;
    private final Signer engine;
    private final Signer detector;
    private final VerifiedPlacements placements;

    public EngineTrust(RecordGate gate, Signer engine, Signer detector) {
        this.gate = gate;
        this.engine = engine;
        this.detector = detector;
        this.placements = new VerifiedPlacements(gate);
    }

    /** Nothing signed or checked: the fleet has not turned signatures on (and the benchmarks). */
    public static EngineTrust off(EventCodec codec) {
        return new EngineTrust(new RecordGate(codec), Signer.unsigned(codec), Signer.unsigned(codec));
    }

    RecordGate gate() {
        return gate;
    }

    Signer engine() {
        return engine;
    }

    Signer detector() {
        return detector;
    }

    VerifiedPlacements placements() {
        return placements;
    }
}
