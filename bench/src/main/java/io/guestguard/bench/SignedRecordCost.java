package io.guestguard.bench;

import io.guestguard.bench.Mixes.Mix;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.EventType;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.trust.Authorization;
import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.SigningKey;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What signed provenance adds to the engine's per-record work (issue 15): the first facts of the
 * mix, each signed by the principal that writes it in a fleet (a guest's reporter facts by the guest,
 * without host or epoch as the real reporter writes them; a host's by the host; packages by an
 * operator), are decoded and checked by the gate with provenance (Ed25519 verification, the
 * authorization table), decided, and their decisions and commands signed with the engine's key. The
 * signing of each fact by its writer is done beforehand and timed apart: it is the reporter's and the
 * supervisor's cost, not the engine's. The JDK's own Ed25519, as the services use it.
 */
final class SignedRecordCost {

    /**
     * @param facts            facts checked, decided and answered
     * @param signMicros       mean microseconds to encode and sign one fact, as its writer does
     * @param verifyMicros     mean microseconds to decode one fact and check its provenance
     * @param decideMicros     mean microseconds to decide one fact (pure core)
     * @param signOutputMicros mean microseconds per fact to encode and sign its decisions and commands
     * @param outputsPerFact   records signed per fact
     */
    record Result(int facts, double signMicros, double verifyMicros, double decideMicros, double signOutputMicros,
                  double outputsPerFact) {

        double factsPerSecond() {
            return 1e6 / (verifyMicros + decideMicros + signOutputMicros);
        }

        String line() {
            return String.format(Locale.ROOT, "signed records, %,d facts: sign a fact %.0f µs (its writer); engine: verify %.0f µs, "
                            + "decide %.1f µs, sign %.2f outputs %.0f µs; %,.0f facts/s on one core",
                    facts, signMicros, verifyMicros, decideMicros, outputsPerFact, signOutputMicros, factsPerSecond());
        }
    }

    private final EventCodec codec = new EventCodec();
    private final KeyRing ring = new KeyRing();
    private final Map<Principal, Signer> signers = new HashMap<>();
    private final SigningKey engine = SigningKey.generate(new Principal(Role.ENGINE, "bench"));

    static Result run(Mix mix, int count) {
        return new SignedRecordCost().measure(mix, Math.min(count, mix.facts().size()));
    }

    private Result measure(Mix mix, int count) {
        Instant registered = Instant.EPOCH;
        ring.register(engine, registered);
        List<CloudEvent<Fact>> facts = new ArrayList<>(count);
        for (CloudEvent<Fact> fact : mix.facts().subList(0, count)) {
            facts.add(asWritten(fact));
        }
        long signNanos = 0;
        byte[][] signed = new byte[count][];
        for (int i = 0; i < count; i++) {
            Signer signer = signerOf(facts.get(i), registered);
            long t0 = System.nanoTime();
            signed[i] = signer.encode(facts.get(i));
            signNanos += System.nanoTime() - t0;
        }
        RecordGate gate = new RecordGate(codec, new Provenance(ring));
        Signer engineSigner = Signer.with(codec, engine);
        Decider decider = new Decider(Mixes.DEFAULT_LIMIT);
        Map<String, GuestState> states = new HashMap<>();
        long verifyNanos = 0;
        long decideNanos = 0;
        long outputNanos = 0;
        long outputs = 0;
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            @SuppressWarnings("unchecked")
            CloudEvent<? extends Fact> fact = gate.fact(facts.get(i).guestId(), signed[i]);
            long t1 = System.nanoTime();
            Outcome outcome = decider.decide(states.getOrDefault(fact.guestId(), GuestState.EMPTY), fact, fact.time());
            long t2 = System.nanoTime();
            states.put(fact.guestId(), outcome.state());
            for (CloudEvent<Decision> decision : outcome.decisions()) {
                engineSigner.encode(decision);
                outputs++;
            }
            for (CloudEvent<Command> command : outcome.commands()) {
                engineSigner.encode(command);
                outputs++;
            }
            long t3 = System.nanoTime();
            verifyNanos += t1 - t0;
            decideNanos += t2 - t1;
            outputNanos += t3 - t2;
        }
        return new Result(count, signNanos / 1e3 / count, verifyNanos / 1e3 / count, decideNanos / 1e3 / count,
                outputNanos / 1e3 / count, (double) outputs / count);
    }

    /** The fact as its writer puts it on the log: a guest's without host or epoch, as the guest reporter writes it. */
    private static CloudEvent<Fact> asWritten(CloudEvent<Fact> fact) {
        if (writer(fact).role() != Role.GUEST) {
            return fact;
        }
        return new CloudEvent<>(fact.id(), fact.source(), fact.time(), fact.guestId(), fact.guestSeq(), null, null, fact.data());
    }

    private Signer signerOf(CloudEvent<Fact> fact, Instant registered) {
        return signers.computeIfAbsent(writer(fact), principal -> {
            SigningKey key = SigningKey.generate(principal);
            ring.register(key, registered);
            return Signer.with(codec, key);
        });
    }

    /** Who writes {@code fact} in a fleet, by the authorization table. */
    private static Principal writer(CloudEvent<Fact> fact) {
        Set<Role> roles = Authorization.emitters(EventType.of(fact.data()));
        if (roles.contains(Role.GUEST)) {
            return Principal.guest(fact.guestId());
        }
        if (roles.contains(Role.HOST)) {
            return Principal.host(fact.hostId());
        }
        // An operator signs in its own name (the authorization table), the services as "bench".
        return new Principal(roles.iterator().next(), fact.data() instanceof OperatorRequest r ? r.operator() : "bench");
    }
}
