package io.guestguard.protocol.trust;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.KeyRecord;
import io.guestguard.protocol.KeyRegistered;
import io.guestguard.protocol.KeyRevoked;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * A test fleet's keys on a real broker, as an operator would set them up: an operator root whose
 * public key file services are given, principals' keys registered (or revoked) by root-signed
 * records on the keys topic, each key in its files in one folder. The folder is how a Quarkus test
 * resource, which sets a service's key files before it starts, shares the keys with the test, which
 * signs its records with them ({@link #read}).
 */
public final class TestKeys {

    private final Path dir;
    private final String servers;
    private final Topics topics;
    private final SigningKey root = SigningKey.generate(new Principal(Role.ROOT, "root"));
    private final EventCodec codec = new EventCodec();

    /** Writes a new operator root's key files into {@code dir}, which must not hold them yet. */
    public TestKeys(Path dir, String servers, Topics topics) {
        this.dir = dir;
        this.servers = servers;
        this.topics = topics;
        write(root);
    }

    /** The operator root's public key file: what a service's {@code root-key-file} names. */
    public Path rootPublicFile() {
        return dir.resolve("root-root.pub");
    }

    /** A new key for {@code principal}, registered on the keys topic; returns its private key file. */
    public Path register(Principal principal) {
        SigningKey key = SigningKey.generate(principal);
        publish(key.keyId(), new KeyRegistered(key.keyId(), principal.role().wire(), principal.name(),
                Base64.getEncoder().encodeToString(key.publicKey().getEncoded())));
        return write(key);
    }

    /** Revokes {@code principal}'s key on the keys topic. */
    public void revoke(Principal principal) {
        String keyId = read(dir, principal).keyId();
        publish(keyId, new KeyRevoked(keyId, "test: revoked"));
    }

    /** The key {@link #register} wrote for {@code principal} into {@code dir}. */
    public static SigningKey read(Path dir, Principal principal) {
        return KeyFile.readPrivate(file(dir, principal));
    }

    /** A ring of the keys of {@code principals} in {@code dir}: a {@link Provenance} over it checks what a service signed. */
    public static KeyRing ring(Path dir, Principal... principals) {
        KeyRing ring = new KeyRing();
        for (Principal principal : principals) {
            ring.register(read(dir, principal), Instant.now());
        }
        return ring;
    }

    private static Path file(Path dir, Principal principal) {
        return dir.resolve(principal.role().wire() + "-" + principal.name() + ".key");
    }

    private Path write(SigningKey key) {
        Path file = file(dir, key.principal());
        try {
            KeyFile.write(key, file, file.resolveSibling(file.getFileName().toString().replaceFirst("\\.key$", ".pub")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private void publish(String keyId, KeyRecord record) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer())) {
            CloudEvent<KeyRecord> event = new CloudEvent<>("test-" + keyId + "-" + System.nanoTime(), "/operator/root", Instant.now(),
                    null, null, null, null, record);
            producer.send(new ProducerRecord<>(topics.keys(), keyId, codec.encode(event, root))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the keys topic refused a record", e);
        }
    }

    /** A fresh empty folder for a test fleet's keys, {@code target/NAME}. */
    public static Path freshDir(String name) {
        Path dir = Path.of("target", name).toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
