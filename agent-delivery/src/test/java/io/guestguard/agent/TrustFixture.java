package io.guestguard.agent;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.KeyRegistered;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The operator's part in the agents' trust tests: a root key, principals' key files as
 * {@code guestguard keys create} writes them, registrations the root signs on the keys topic as
 * {@code guestguard keys register} writes them (the agents cannot depend on the CLI), and the check a
 * reader applies to what the agents wrote.
 */
public final class TrustFixture {

    private final Path dir;
    private final String servers;
    private final Topics topics;
    private final EventCodec codec = new EventCodec();
    private final KeyRing ring = new KeyRing();
    private final SigningKey root;

    public TrustFixture(Path dir, String servers, Topics topics) {
        this.dir = dir;
        this.servers = servers;
        this.topics = topics;
        this.root = key(new Principal(Role.ROOT, "root"));
    }

    /** The root's public key file: what an agent's root setting names. */
    public Path rootFile() {
        return publicFile(root.principal());
    }

    /** A new key of {@code principal}, written to its files, not registered. */
    public SigningKey key(Principal principal) {
        SigningKey key = SigningKey.generate(principal);
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(privateFile(principal));
            KeyFile.write(key, privateFile(principal), publicFile(principal));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return key;
    }

    /** A new key of {@code principal}, written to its files and registered by the root. */
    public SigningKey registered(Principal principal) {
        SigningKey key = key(principal);
        register(key);
        return key;
    }

    /** The private key file of {@code principal}'s latest key. */
    public Path privateFile(Principal principal) {
        return dir.resolve(principal.role().wire() + "-" + principal.name() + ".key");
    }

    private Path publicFile(Principal principal) {
        return dir.resolve(principal.role().wire() + "-" + principal.name() + ".pub");
    }

    /** Registers {@code key} on the keys topic, signed by the root, and waits for Kafka to have it. */
    public void register(SigningKey key) {
        KeyRegistered registration = new KeyRegistered(key.keyId(), key.principal().role().wire(), key.principal().name(),
                Base64.getEncoder().encodeToString(key.publicKey().getEncoded()));
        CloudEvent<KeyRegistered> event = new CloudEvent<>("key-registered-" + key.keyId(), "/operator/root", Instant.now(),
                null, null, null, null, registration);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.keys(), key.keyId(), codec.encode(event, root))).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot register " + key, e);
        }
        ring.register(key, Instant.now());
    }

    /** The reasons of the dead letters among {@code deadLetters} whose record was keyed {@code key}, oldest first. */
    public static List<String> reasons(List<ConsumerRecord<String, byte[]>> deadLetters, String key) {
        return deadLetters.stream().filter(r -> key.equals(r.key()))
                .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8)).toList();
    }

    /**
     * Who signed {@code value}, checked as every reader checks it against the keys registered here.
     *
     * @throws io.guestguard.protocol.RejectedRecordException with the reason, when it is not genuine
     */
    public Principal signer(byte[] value) {
        EventCodec.Read read = codec.read(value);
        return new Provenance(ring).check(read.json(), read.event());
    }
}
