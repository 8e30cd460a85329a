package io.guestguard.deploy.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.EventType;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.KeyRegistered;
import io.guestguard.protocol.KeyRevoked;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Authorization;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local fleet's keys, as an operator sets up a real fleet's (docs/security.md): an operator root
 * key, one key per principal (the engine, the detector, the watcher, each host, each guest, the local
 * operator), each written to {@code keys/ROLE-NAME.key|.pub} in the run folder and registered on the
 * keys topic, signed by the root, before any service starts. So README command 1 runs signed with
 * nothing more to do. Tests and benchmarks that stand in for a principal get its key here too.
 */
public final class FleetKeys implements AutoCloseable {

    private final Path dir;
    private final SigningKey root;
    private final Topics topics;
    private final EventCodec codec = new EventCodec();
    private final Map<Principal, SigningKey> keys = new ConcurrentHashMap<>();
    private final KafkaProducer<String, byte[]> registrations;

    private FleetKeys(Path dir, SigningKey root, String bootstrapServers, Topics topics) {
        this.dir = dir;
        this.root = root;
        this.topics = topics;
        this.registrations = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    /** Creates the root key in {@code dir} (emptied first) for the fleet whose broker is at {@code bootstrapServers}. */
    static FleetKeys create(Path dir, String bootstrapServers, Topics topics) {
        try {
            Files.createDirectories(dir);
            SigningKey root = SigningKey.generate(new Principal(Role.ROOT, "root"));
            KeyFile.write(root, dir.resolve("root-root.key"), dir.resolve("root-root.pub"));
            return new FleetKeys(dir, root, bootstrapServers, topics);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the fleet's keys in " + dir, e);
        }
    }

    /** The root's public key file: what every service is given as {@code guestguard.trust.root-key-file}. */
    public Path rootPublicFile() {
        return dir.resolve("root-root.pub");
    }

    /** The private key file of {@code principal}, created and registered the first time it is asked for. */
    public Path privateFile(Principal principal) {
        key(principal);
        return dir.resolve(principal.role().wire() + "-" + principal.name() + ".key");
    }

    /** A signer for {@code principal}: for tests and benchmarks that write as that principal would. */
    public Signer signer(Principal principal) {
        return Signer.with(codec, key(principal));
    }

    /**
     * {@code event} signed by the principal that writes it in a fleet, by the authorization table: a
     * guest's by that guest, a host's by the host it names, the rest by the fleet's service or operator.
     */
    public byte[] encodeAsWriter(CloudEvent<?> event) {
        Set<Role> roles = Authorization.emitters(EventType.of(event.data()));
        Principal writer;
        if (roles.contains(Role.GUEST)) {
            writer = Principal.guest(event.data() instanceof Heartbeat beat ? beat.id() : event.guestId());
        } else if (roles.contains(Role.HOST)) {
            writer = Principal.host(event.data() instanceof Heartbeat beat ? beat.id() : event.hostId());
        } else {
            Role role = roles.iterator().next();
            writer = Map.of(Role.ENGINE, LocalFleet.ENGINE, Role.DETECTOR, LocalFleet.DETECTOR, Role.WATCHER, LocalFleet.WATCHER)
                    .getOrDefault(role, LocalFleet.OPERATOR);
        }
        return signer(writer).encode(event);
    }

    /** {@code principal}'s key, created, written and registered the first time it is asked for. */
    public SigningKey key(Principal principal) {
        return keys.computeIfAbsent(principal, this::createAndRegister);
    }

    /**
     * Creates and registers the keys of {@code principals} that have none yet, all sent before any is
     * waited for: a simulated fleet of thousands of guests registers them in seconds, not minutes.
     */
    public void keys(Collection<Principal> principals) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Principal principal : principals) {
            keys.computeIfAbsent(principal, p -> {
                SigningKey key = create(p);
                sent.add(registrations.send(registration(key)));
                return key;
            });
        }
        for (Future<RecordMetadata> registration : sent) {
            await(registration, "register " + principals.size() + " keys");
        }
    }

    private SigningKey createAndRegister(Principal principal) {
        SigningKey key = create(principal);
        await(registrations.send(registration(key)), "register " + principal + "'s key");
        return key;
    }

    private SigningKey create(Principal principal) {
        SigningKey key = SigningKey.generate(principal);
        String base = principal.role().wire() + "-" + principal.name();
        try {
            KeyFile.write(key, dir.resolve(base + ".key"), dir.resolve(base + ".pub"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + principal + "'s key to " + dir, e);
        }
        return key;
    }

    private ProducerRecord<String, byte[]> registration(SigningKey key) {
        Principal principal = key.principal();
        KeyRegistered registration = new KeyRegistered(key.keyId(), principal.role().wire(), principal.name(),
                Base64.getEncoder().encodeToString(key.publicKey().getEncoded()));
        CloudEvent<KeyRegistered> event = new CloudEvent<>("key-registered-" + key.keyId(), "/operator/root", Instant.now(),
                null, null, null, null, registration);
        return KafkaBinding.record(topics.keys(), key.keyId(), codec.encode(event, root));
    }

    /** Revokes {@code principal}'s key on the keys topic, signed by the root: its records are refused from then on. */
    public void revoke(Principal principal, String reason) {
        SigningKey key = key(principal);
        CloudEvent<KeyRevoked> event = new CloudEvent<>("key-revoked-" + key.keyId(), "/operator/root", Instant.now(),
                null, null, null, null, new KeyRevoked(key.keyId(), reason));
        publish(key.keyId(), event, "revoke " + principal + "'s key");
    }

    private void publish(String keyId, CloudEvent<?> event, String what) {
        await(registrations.send(KafkaBinding.record(topics.keys(), keyId, codec.encode(event, root))), what);
    }

    private void await(Future<RecordMetadata> sent, String what) {
        try {
            sent.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot " + what + " on " + topics.keys() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        registrations.close();
    }
}
