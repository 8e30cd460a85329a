package io.guestguard.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.ReplayGuard;

import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one decoding boundary every GuestGuard consumer passes a record through before it acts on it.
 * Each method takes a record as read from its topic (key and value) and returns an event of the
 * kind that topic carries, checked against the topic's keying rule, or throws a
 * {@link RejectedRecordException} with the reason, which the consumer dead-letters. Nothing else
 * escapes, whatever the bytes: the codec is total, and the checks here only compare what it
 * returned.
 *
 * <table>
 *   <caption>What each topic carries and how it is keyed</caption>
 *   <tr><th>topic</th><th>method</th><th>carries</th><th>key</th></tr>
 *   <tr><td>{@code guest-log.v1}</td><td>{@link #fact}</td><td>facts</td><td>{@code guestid}</td></tr>
 *   <tr><td>{@code heartbeats.v1}</td><td>{@link #heartbeat}</td><td>heartbeats</td><td>the beat's {@code id}</td></tr>
 *   <tr><td>{@code host-heartbeats.v1}</td><td>{@link #hostHeartbeat}</td><td>host beats, hosts leaving, detector ticks</td>
 *       <td>the host; a tick's {@link DetectorTick#key(int) tick-<i>partition</i>}</td></tr>
 *   <tr><td>{@code guest-commands.v1}</td><td>{@link #guestCommand}</td><td>guest commands</td><td>{@code guestid}</td></tr>
 *   <tr><td>{@code host-commands.v1}</td><td>{@link #hostCommand}</td><td>host commands</td><td>the command's {@code host}</td></tr>
 *   <tr><td>{@code placements.v1}</td><td>{@link #placement}</td><td>placements</td><td>{@code guestid}</td></tr>
 *   <tr><td>{@code decisions.v1}</td><td>{@link #decision}</td><td>decisions</td><td>{@code guestid}</td></tr>
 *   <tr><td>{@code keys.v1}</td><td>{@link #keyRecord}</td><td>key registrations and revocations</td><td>{@code data.keyId}</td></tr>
 * </table>
 * Each method has a form that also takes the record's Kafka headers, which every consumer reading
 * from Kafka uses: a record may be a structured-mode or a binary-mode CloudEvent ({@link KafkaBinding}),
 * and only the headers tell. The forms without headers read structured mode only.
 * Given a {@link Provenance}, the gate first checks who signed the record and whether that principal
 * may emit it (docs/security.md), and rejects it otherwise. Thread-safe, like the codec it wraps.
 */
public final class RecordGate {

    private final EventCodec codec;
    /** Checks who signed each record and whether it may say what it says; null: signatures not checked. */
    private final Provenance provenance;
    /** Refuses copies of genuine records, where the caller says where a record was read; null: not checked. */
    private final ReplayGuard replays;

    /** A gate that does not check signatures: for records from before signing (replays, tools). */
    public RecordGate(EventCodec codec) {
        this(codec, null, null);
    }

    /** A gate that refuses a record, before anything else, unless {@code provenance} accepts its signer. */
    public RecordGate(EventCodec codec, Provenance provenance) {
        this(codec, provenance, null);
    }

    /**
     * As {@link #RecordGate(EventCodec, Provenance)}, also refusing, for the methods given a record's
     * {@link ReplayGuard.Origin}, copies of genuine records ({@code replays}, one per consumer).
     */
    public RecordGate(EventCodec codec, Provenance provenance, ReplayGuard replays) {
        this.codec = codec;
        this.provenance = provenance;
        this.replays = replays;
    }

    /**
     * Decodes {@code value} (with its record's {@code headers}, null if none: {@link EventCodec#read(byte[], Headers)})
     * and checks its provenance, and that it is no copy if {@code origin} is known.
     */
    private CloudEvent<?> decode(byte[] value, Headers headers, ReplayGuard.Origin origin) {
        EventCodec.Read read = codec.read(value, headers);
        if (provenance != null) {
            Principal signer = provenance.check(read.json(), read.event());
            if (replays != null && origin != null) {
                replays.check(signer, read.event(), origin);
            }
        }
        return read.event();
    }

    /**
     * The record as a structured-mode value ({@link EventCodec#structured}), for a copy kept without
     * its headers: a binary-mode record's event as JSON, which reads back, signature and all, as it did.
     *
     * @throws RejectedRecordException when a binary-mode record does not decode
     */
    public byte[] structured(byte[] value, Headers headers) {
        return codec.structured(value, headers);
    }

    /** A fact on {@code guest-log.v1}: keyed by the guest it is about. */
    public CloudEvent<? extends Fact> fact(String key, byte[] value) {
        return fact(key, value, null, null);
    }

    /** As {@link #fact(String, byte[])}, refusing a copy of a genuine record, given where it was read ({@code origin}; null if unknown). */
    public CloudEvent<? extends Fact> fact(String key, byte[] value, ReplayGuard.Origin origin) {
        return fact(key, value, null, origin);
    }

    /** As {@link #fact(String, byte[], ReplayGuard.Origin)}, for a record with {@code headers} (either binding mode). */
    @SuppressWarnings("unchecked")
    public CloudEvent<? extends Fact> fact(String key, byte[] value, Headers headers, ReplayGuard.Origin origin) {
        CloudEvent<?> event = decode(value, headers, origin);
        if (!(event.data() instanceof Fact)) {
            throw new RejectedRecordException("type " + event.type() + " is not a fact; the guest log carries facts only");
        }
        requireKey(key, event.guestId(), "guestid");
        return (CloudEvent<? extends Fact>) event;
    }

    /**
     * How many keys were revoked so far, 0 without signatures: a cache of what this gate accepted is
     * forgotten when it changes.
     */
    public long revocations() {
        return provenance == null ? 0 : provenance.revocations();
    }

    /**
     * With signatures checked, refuses {@code fact} when it is a host's report about a guest the host
     * may not hold: none of {@code hostsOfGuest}, read from the guest's state only then (docs/security.md).
     */
    public void requireHostOfGuest(CloudEvent<? extends Fact> fact, Supplier<Set<String>> hostsOfGuest) {
        if (provenance != null && fact.hostId() != null) {
            provenance.checkHostOfGuest(fact, hostsOfGuest.get());
        }
    }

    /** A liveness beat: keyed by the guest or host that beats, which its {@code guestid} or {@code hostid} names too, if set. */
    public CloudEvent<Heartbeat> heartbeat(String key, byte[] value) {
        return heartbeat(key, value, null, null);
    }

    /** As {@link #heartbeat(String, byte[])}, refusing a copy of a genuine record, given where it was read ({@code origin}; null if unknown). */
    public CloudEvent<Heartbeat> heartbeat(String key, byte[] value, ReplayGuard.Origin origin) {
        return heartbeat(key, value, null, origin);
    }

    /** As {@link #heartbeat(String, byte[], ReplayGuard.Origin)}, for a record with {@code headers} (either binding mode). */
    public CloudEvent<Heartbeat> heartbeat(String key, byte[] value, Headers headers, ReplayGuard.Origin origin) {
        return heartbeat(key, decode(value, headers, origin));
    }

    @SuppressWarnings("unchecked")
    private static CloudEvent<Heartbeat> heartbeat(String key, CloudEvent<?> event) {
        if (!(event.data() instanceof Heartbeat beat)) {
            throw new RejectedRecordException("type " + event.type() + " is not a heartbeat");
        }
        requireKey(key, beat.id(), "data.id");
        String named = beat.role().equals("guest") ? event.guestId() : event.hostId();
        if (named != null && !named.equals(beat.id())) {
            throw new RejectedRecordException("a " + beat.role() + " beat for " + beat.id() + " names "
                    + (beat.role().equals("guest") ? "guestid " : "hostid ") + named);
        }
        return (CloudEvent<Heartbeat>) event;
    }

    /**
     * A record on {@code host-heartbeats.v1}: a host's beat (role {@code host}, checked as
     * {@link #heartbeat} checks it), a host's {@link HostLeaving} (keyed by that host), or a tick of
     * the host-loss detector, keyed by the partition it names. Callers tell them apart by the payload;
     * every reader but the detector skips ticks and leavings.
     */
    public CloudEvent<?> hostHeartbeat(String key, byte[] value) {
        return hostHeartbeat(key, value, null, null);
    }

    /** As {@link #hostHeartbeat(String, byte[])}, refusing a copy of a genuine record, given where it was read ({@code origin}; null if unknown). */
    public CloudEvent<?> hostHeartbeat(String key, byte[] value, ReplayGuard.Origin origin) {
        return hostHeartbeat(key, value, null, origin);
    }

    /** As {@link #hostHeartbeat(String, byte[], ReplayGuard.Origin)}, for a record with {@code headers} (either binding mode). */
    public CloudEvent<?> hostHeartbeat(String key, byte[] value, Headers headers, ReplayGuard.Origin origin) {
        CloudEvent<?> event = decode(value, headers, origin);
        if (event.data() instanceof DetectorTick tick) {
            requireKey(key, tick.key(), "the key of data.partition's ticks");
            return event;
        }
        if (event.data() instanceof HostLeaving leaving) {
            requireKey(key, leaving.host(), "data.host");
            if (event.hostId() != null && !event.hostId().equals(leaving.host())) {
                throw new RejectedRecordException("host " + leaving.host() + " leaving names hostid " + event.hostId());
            }
            return event;
        }
        CloudEvent<Heartbeat> beat = heartbeat(key, event);
        if (!beat.data().role().equals("host")) {
            throw new RejectedRecordException("a guest's beat on the hosts' topic: guests beat on heartbeats.v1");
        }
        return beat;
    }

    /** A command for a guest's reporter: keyed by that guest. */
    public CloudEvent<? extends GuestCommand> guestCommand(String key, byte[] value) {
        return guestCommand(key, value, null, null);
    }

    /** As {@link #guestCommand(String, byte[])}, for a record with {@code headers} (either binding mode). */
    public CloudEvent<? extends GuestCommand> guestCommand(String key, byte[] value, Headers headers) {
        return guestCommand(key, value, headers, null);
    }

    /** As {@link #guestCommand(String, byte[])}, refusing a copy of a genuine record, given where it was read ({@code origin}; null if unknown). */
    public CloudEvent<? extends GuestCommand> guestCommand(String key, byte[] value, ReplayGuard.Origin origin) {
        return guestCommand(key, value, null, origin);
    }

    /** As {@link #guestCommand(String, byte[], ReplayGuard.Origin)}, for a record with {@code headers} (either binding mode). */
    @SuppressWarnings("unchecked")
    public CloudEvent<? extends GuestCommand> guestCommand(String key, byte[] value, Headers headers, ReplayGuard.Origin origin) {
        CloudEvent<?> event = decode(value, headers, origin);
        if (!(event.data() instanceof GuestCommand)) {
            throw new RejectedRecordException("type " + event.type() + " is not a guest command");
        }
        requireKey(key, event.guestId(), "guestid");
        return (CloudEvent<? extends GuestCommand>) event;
    }

    /**
     * A command for a host's supervisor: keyed by the host that carries it out; a command about one
     * guest names that guest in its data and its {@code guestid} alike.
     */
    public CloudEvent<? extends HostCommand> hostCommand(String key, byte[] value) {
        return hostCommand(key, value, null, null);
    }

    /** As {@link #hostCommand(String, byte[])}, for a record with {@code headers} (either binding mode). */
    public CloudEvent<? extends HostCommand> hostCommand(String key, byte[] value, Headers headers) {
        return hostCommand(key, value, headers, null);
    }

    /** As {@link #hostCommand(String, byte[])}, refusing a copy of a genuine record, given where it was read ({@code origin}; null if unknown). */
    public CloudEvent<? extends HostCommand> hostCommand(String key, byte[] value, ReplayGuard.Origin origin) {
        return hostCommand(key, value, null, origin);
    }

    /** As {@link #hostCommand(String, byte[], ReplayGuard.Origin)}, for a record with {@code headers} (either binding mode). */
    @SuppressWarnings("unchecked")
    public CloudEvent<? extends HostCommand> hostCommand(String key, byte[] value, Headers headers, ReplayGuard.Origin origin) {
        CloudEvent<?> event = decode(value, headers, origin);
        if (!(event.data() instanceof HostCommand command)) {
            throw new RejectedRecordException("type " + event.type() + " is not a host command");
        }
        requireKey(key, command.host(), "data.host");
        String guest = command.guest();
        if (event.guestId() == null) {
            throw new RejectedRecordException("a host command must name the guest it is for (guestid)");
        }
        if (guest != null && !guest.equals(event.guestId())) {
            throw new RejectedRecordException("the command is about guest " + guest + " but its guestid is " + event.guestId());
        }
        return (CloudEvent<? extends HostCommand>) event;
    }

    /** A guest's placement on the compacted {@code placements.v1}: keyed by the guest. */
    public CloudEvent<GuestPlacement> placement(String key, byte[] value) {
        return placement(key, value, null);
    }

    /** As {@link #placement(String, byte[])}, for a record with {@code headers} (either binding mode). */
    @SuppressWarnings("unchecked")
    public CloudEvent<GuestPlacement> placement(String key, byte[] value, Headers headers) {
        CloudEvent<?> event = decode(value, headers, null);
        if (!(event.data() instanceof GuestPlacement)) {
            throw new RejectedRecordException("type " + event.type() + " is not a placement");
        }
        requireKey(key, event.guestId(), "guestid");
        return (CloudEvent<GuestPlacement>) event;
    }

    /**
     * A placement this gate accepted before ({@link #placement(String, byte[], Headers)}) and that was kept
     * as it was, where only accepted placements are kept: its data read without validating it again, its
     * signer's key checked still registered and not revoked, its signature not verified again (about 65 µs
     * a placement, which a restarted engine would pay for every guest before its first decision).
     *
     * @throws RejectedRecordException when it is no placement of {@code key}'s guest, or its key is gone or revoked
     */
    public GuestPlacement acceptedPlacement(String key, byte[] value) {
        JsonNode json = codec.readAccepted(value);
        if (provenance != null) {
            provenance.checkSignerStillTrusted(json);
        }
        if (!EventType.PLACEMENT.type().equals(json.path("type").asText())) {
            throw new RejectedRecordException("type " + FreeText.quote(json.path("type").asText()) + " is not a placement");
        }
        requireKey(key, json.path("guestid").textValue(), "guestid");
        if (!json.path("data").isObject()) {
            throw new RejectedRecordException("a placement without data");
        }
        try {
            return codec.mapper().treeToValue(json.get("data"), GuestPlacement.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new RejectedRecordException("data of a placement is invalid: " + e.getMessage(), e);
        }
    }

    /** An audit record on {@code decisions.v1}: keyed by the guest decided about. */
    public CloudEvent<Decision> decision(String key, byte[] value) {
        return decision(key, value, null);
    }

    /** As {@link #decision(String, byte[])}, for a record with {@code headers} (either binding mode). */
    @SuppressWarnings("unchecked")
    public CloudEvent<Decision> decision(String key, byte[] value, Headers headers) {
        CloudEvent<?> event = decode(value, headers, null);
        if (!(event.data() instanceof Decision)) {
            throw new RejectedRecordException("type " + event.type() + " is not a decision");
        }
        requireKey(key, event.guestId(), "guestid");
        return (CloudEvent<Decision>) event;
    }

    /** A registration or revocation on the compacted keys topic: keyed by the key's id. */
    public CloudEvent<? extends KeyRecord> keyRecord(String key, byte[] value) {
        return keyRecord(key, value, null);
    }

    /** As {@link #keyRecord(String, byte[])}, for a record with {@code headers} (either binding mode). */
    @SuppressWarnings("unchecked")
    public CloudEvent<? extends KeyRecord> keyRecord(String key, byte[] value, Headers headers) {
        CloudEvent<?> event = decode(value, headers, null);
        if (!(event.data() instanceof KeyRecord record)) {
            throw new RejectedRecordException("type " + event.type() + " is not a key record");
        }
        requireKey(key, record.keyId(), "data.keyId");
        return (CloudEvent<? extends KeyRecord>) event;
    }

    private static void requireKey(String key, String expected, String attribute) {
        if (expected == null) {
            throw new RejectedRecordException("the event has no " + attribute + " to be keyed by");
        }
        if (!Objects.equals(key, expected)) {
            throw new RejectedRecordException("record key " + FreeText.quote(key) + " does not match " + attribute + " '"
                    + expected + "'");
        }
    }
}
