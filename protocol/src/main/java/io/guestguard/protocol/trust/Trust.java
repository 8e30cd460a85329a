package io.guestguard.protocol.trust;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * A service's side of signed provenance, from its settings: the signers for what it writes and the
 * gate for what it reads. On, it trusts the operator root's public key, keeps the key ring filled
 * from the keys topic, signs with its principals' keys and refuses, in every gate, what fails
 * {@link Provenance}. Off (a fleet that has not turned signing on), it writes plain events and its
 * gates check no signature, and it says so at start.
 */
public final class Trust implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Trust.class.getName());
    /** How long a starting service waits for the keys topic before it gives up. */
    public static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final EventCodec codec;
    private final KeyRingReader reader;
    private final Provenance provenance;
    private final RecordGate gate;

    private Trust(EventCodec codec, KeyRingReader reader, Provenance provenance) {
        this.codec = codec;
        this.reader = reader;
        this.provenance = provenance;
        this.gate = provenance == null ? new RecordGate(codec)
                : new RecordGate(codec, provenance, new ReplayGuard(ReplayGuard.DEFAULT_WINDOW, ReplayGuard.DEFAULT_CAPACITY));
    }

    /**
     * Signatures off: for a fleet that has not created its keys yet.
     *
     * @param service the service, for the warning
     */
    public static Trust off(EventCodec codec, String service) {
        LOG.warning(service + ": signatures are off: records are neither signed nor checked, so anyone who can write to "
                + "Kafka can steer this fleet (docs/security.md: create the keys and give each service its key files)");
        return new Trust(codec, null, null);
    }

    /**
     * Signatures on: reads the root's public key file and loads the key ring from the keys topic
     * before returning, so that no genuine record is refused for a key not read yet.
     *
     * @param rootFile the operator root's public key file
     * @param kafka    the Kafka client settings of the service (bootstrap servers, security)
     * @param rejected told of each record on the keys topic the root did not sign, with the reason
     * @throws IllegalArgumentException naming the file, the field and the fix, for a bad root key file
     * @throws IllegalStateException    when the keys topic cannot be read in {@link #LOAD_TIMEOUT}
     */
    public static Trust on(Path rootFile, Map<String, Object> kafka, Topics topics, EventCodec codec,
                           BiConsumer<ConsumerRecord<String, byte[]>, String> rejected) throws InterruptedException {
        KeyFile.Public root = KeyFile.readPublic(rootFile);
        if (root.principal().role() != Role.ROOT) {
            throw new IllegalArgumentException(rootFile + ": role: the key is " + root.principal()
                    + "'s; give the operator root's public key file (guestguard keys create --role root)");
        }
        KeyRing ring = new KeyRing();
        KeyRingReader reader = new KeyRingReader(kafka, topics.keys(), root, ring, codec, rejected).start();
        try {
            reader.awaitLoaded(LOAD_TIMEOUT);
        } catch (RuntimeException | InterruptedException e) {
            reader.close();
            throw e;
        }
        return new Trust(codec, reader, new Provenance(ring));
    }

    public boolean on() {
        return provenance != null;
    }

    /**
     * The signer for one of this service's principals: with the key in {@code keyFile}, which must be
     * {@code role}'s; unsigned when signatures are off.
     *
     * @param setting the setting that named the file, for the messages
     * @throws IllegalArgumentException naming the setting or the file, the field and the fix
     */
    public Signer signer(String setting, Path keyFile, Role role) {
        if (!on()) {
            return Signer.unsigned(codec);
        }
        if (keyFile == null) {
            throw new IllegalArgumentException(setting + ": missing; give the " + role.words() + "'s private key file "
                    + "(guestguard keys create --role " + role.wire() + " --name NAME, then keys register its .pub)");
        }
        SigningKey key = KeyFile.readPrivate(keyFile);
        if (key.principal().role() != role) {
            throw new IllegalArgumentException(keyFile + ": role: the key is " + key.principal() + "'s, not a "
                    + role.words() + "'s; give " + setting + " the " + role.words() + "'s key file");
        }
        return Signer.with(codec, key);
    }

    /**
     * The gate every record this service reads goes through: checking provenance when on, and
     * refusing copies of genuine records where the reader gives their origin.
     */
    public RecordGate gate() {
        return gate;
    }

    /** The refusals so far, by kind: empty when off. */
    public Map<Provenance.Refusal, Long> refusals() {
        return provenance == null ? Map.of() : provenance.refusals();
    }

    public Optional<Provenance> provenance() {
        return Optional.ofNullable(provenance);
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
    }
}
