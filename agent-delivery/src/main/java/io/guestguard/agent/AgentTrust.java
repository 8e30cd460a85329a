package io.guestguard.agent;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.trust.Trust;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An agent's {@link Trust} from its two settings, the operator root's public key file and its own
 * private key file: on when the root is given, off (with Trust's warning) when not. Both files are
 * checked before Kafka is asked for the keys topic, so a wrong file fails the start at once, not
 * after the wait for the key ring; the agent's key must be its own principal's (role and name), since
 * a key of another guest would sign records every reader refuses. Records on the keys topic that the
 * root did not sign are logged here, not dead-lettered: every service reads the whole keys topic, so
 * each would dead-letter the same record.
 */
public final class AgentTrust implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AgentTrust.class);

    private final Trust trust;
    private final Signer signer;

    /**
     * Where an agent's key files are, and the settings that named them (for the messages).
     *
     * @param root the operator root's public key file; empty: trust off
     * @param key this agent's private key file; required when {@code root} is given
     */
    public record KeyFiles(String rootSetting, Optional<Path> root, String keySetting, Optional<Path> key) {
        public boolean on() {
            return root.isPresent();
        }
    }

    private AgentTrust(Trust trust, Signer signer) {
        this.trust = trust;
        this.signer = signer;
    }

    /**
     * Trust as {@code files} say: on, it loads the key ring from the keys topic before returning.
     *
     * @param self  the principal this agent speaks as: its key must be this principal's
     * @param kafka the agent's Kafka client settings
     * @throws IllegalArgumentException naming the setting or file, the field and the fix
     * @throws IllegalStateException    when the keys topic cannot be read in {@link Trust#LOAD_TIMEOUT}
     */
    public static AgentTrust start(KeyFiles files, Principal self, Map<String, Object> kafka, Topics topics,
                                   EventCodec codec) throws InterruptedException {
        if (!files.on()) {
            files.key().ifPresent(key -> LOG.warnf("%s is set but %s is not: nothing is signed or checked; set both",
                    files.keySetting(), files.rootSetting()));
            return off(codec, self);
        }
        SigningKey key = check(files, self);
        Map<String, Object> config = new java.util.HashMap<>(kafka);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, self.role().wire() + "-" + self.name() + "-keys");
        Trust trust = Trust.on(files.root().get(), config, topics, codec, (record, reason) -> LOG.warnf(
                "keys topic: %s-%d@%d is not the operator root's record, ignored: %s",
                record.topic(), record.partition(), record.offset(), reason));
        LOG.infof("signing as %s with key %s; checking every record read against the keys the root registered",
                self, key.keyId());
        return new AgentTrust(trust, Signer.with(codec, key));
    }

    /** Trust off, with Trust's warning: nothing signed, nothing checked. */
    public static AgentTrust off(EventCodec codec, Principal self) {
        return new AgentTrust(Trust.off(codec, self.toString()), Signer.unsigned(codec));
    }

    /**
     * Checks both files without Kafka ({@code --check}, and before a start): the root's is the
     * operator root's public key, the agent's is {@code self}'s private key. Nothing when off.
     *
     * @return the agent's key, when on
     * @throws IllegalArgumentException naming the setting or file, the field and the fix
     */
    public static SigningKey check(KeyFiles files, Principal self) {
        Path rootFile = files.root().orElseThrow(() -> new IllegalArgumentException(files.rootSetting() + ": not set"));
        KeyFile.Public root = KeyFile.readPublic(rootFile);
        if (root.principal().role() != Role.ROOT) {
            throw new IllegalArgumentException(rootFile + ": role: the key is " + root.principal() + "'s; give "
                    + files.rootSetting() + " the operator root's public key file (guestguard keys create --role root)");
        }
        String create = "guestguard keys create --role " + self.role().wire() + " --name " + self.name()
                + ", then guestguard keys register its .pub";
        Path keyFile = files.key().orElseThrow(() -> new IllegalArgumentException(files.keySetting() + ": missing; "
                + files.rootSetting() + " is set, so give " + self + "'s private key file (" + create + ")"));
        SigningKey key = KeyFile.readPrivate(keyFile);
        Principal holder = key.principal();
        if (!holder.equals(self)) {
            throw new IllegalArgumentException(keyFile + ": " + (holder.role() != self.role() ? "role" : "name")
                    + ": the key is " + holder + "'s, not " + self + "'s; give " + files.keySetting() + " " + self
                    + "'s own key file (" + create + ")");
        }
        return key;
    }

    /** How this agent writes its records: signed with its key when on. */
    public Signer signer() {
        return signer;
    }

    /** The gate every record this agent reads goes through: signature and authorization first, when on. */
    public RecordGate gate() {
        return trust.gate();
    }

    public boolean on() {
        return trust.on();
    }

    /**
     * The records refused so far, by kind ({@code unsigned}, {@code unknown-key}, ...), those with none
     * left out: for the agent's readiness details. Each refusal is also a dead letter or a log line.
     */
    public Map<String, Long> refused() {
        Map<String, Long> refused = new TreeMap<>();
        trust.refusals().forEach((kind, count) -> {
            if (count > 0) {
                refused.put(name(kind), count);
            }
        });
        return refused;
    }

    private static String name(Provenance.Refusal kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Stops following the keys topic. */
    @Override
    public void close() {
        trust.close();
    }
}
