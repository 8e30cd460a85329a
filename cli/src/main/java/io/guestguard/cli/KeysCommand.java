package io.guestguard.cli;

import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.FreeText;
import io.guestguard.protocol.KeyRecord;
import io.guestguard.protocol.KeyRegistered;
import io.guestguard.protocol.KeyRevoked;
import io.guestguard.protocol.Names;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.KeyRingReader;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code guestguard keys create|register|revoke|list}: the principals' signing keys. A key is
 * created where its principal runs (the private file never leaves it); its public file is
 * registered on the keys topic by an operator holding the root key, which every service trusts;
 * a revoked key's records are refused from then on (docs/security.md).
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        subcommands = {KeysCommand.Create.class, KeysCommand.Register.class, KeysCommand.Revoke.class, KeysCommand.ListKeys.class},
        description = "Creates, registers, revokes and lists the signing keys of guests, hosts, services and operators.")
final class KeysCommand {

    private static final String ROOT_SOURCE = "/operator/root";

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a key pair: DIR/ROLE-NAME.key (private, owner-only; give it to that principal alone) and DIR/ROLE-NAME.pub (to register).",
            exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE)
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "guest, host, engine, detector, watcher, operator or root.")
        String role;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "The guest id, the host name, the service instance's or the operator's name.")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".", description = "Where to write the two files (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Override
        public Integer call() throws IOException {
            Role parsed = Role.fromWire(role).orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "--role: '" + role + "' is not a role; use guest, host, engine, detector, watcher, operator or root"));
            if (!Names.valid(name)) {
                throw new ParameterException(spec.commandLine(), "--name: '" + name + "' is not a valid name; " + Names.RULE);
            }
            SigningKey key = SigningKey.generate(new Principal(parsed, name));
            Path privateFile = dir.resolve(parsed.wire() + "-" + name + ".key");
            Path publicFile = dir.resolve(parsed.wire() + "-" + name + ".pub");
            try {
                KeyFile.write(key, privateFile, publicFile);
            } catch (FileAlreadyExistsException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            spec.commandLine().getOut().printf("created key %s for %s%n  private: %s (give it to %s only)%n  public:  %s (%s)%n",
                    key.keyId(), key.principal(), privateFile, key.principal(), publicFile,
                    parsed == Role.ROOT ? "give it to every service as its root key"
                            : "register it: guestguard keys register " + publicFile + " --root-key ROOT.key");
            return ExitCodes.OK;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Registers public key files on the keys topic, signed by the root key: the services trust them from then on.",
            exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:registered", "2:Kafka could not be reached, lacks the topic, or did not acknowledge in time",
                    "64:wrong command line, or a key file that is not valid"})
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE.pub", description = "Public key files, as 'keys create' wrote them.")
        List<Path> files;

        @Option(names = "--root-key", required = true, paramLabel = "FILE", description = "The operator root's private key file.")
        Path rootKey;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            SigningKey root = SigningOptions.read(spec, rootKey, Role.ROOT);
            List<KeyFile.Public> keys = new ArrayList<>();
            for (Path file : files) {
                try {
                    keys.add(KeyFile.readPublic(file));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            return writeAll(spec, kafka, root, keys.stream().<CloudEvent<?>>map(key -> event(new KeyRegistered(key.keyId(),
                    key.principal().role().wire(), key.principal().name(),
                    java.util.Base64.getEncoder().encodeToString(key.key().getEncoded())))).toList(), "registered");
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a key on the keys topic, signed by the root key: every record it signed is refused from then on.",
            exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE)
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "KEY-ID", description = "The key's id, as 'keys create' or 'keys list' shows it.")
        String keyId;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why, for the listing and the dead letters.")
        String reason;

        @Option(names = "--root-key", required = true, paramLabel = "FILE", description = "The operator root's private key file.")
        Path rootKey;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            if (!keyId.matches("[0-9a-f]{32}")) {
                throw new ParameterException(spec.commandLine(), "KEY-ID: '" + FreeText.clean(keyId)
                        + "' is not a key id (32 hex digits); 'guestguard keys list' shows them");
            }
            SigningKey root = SigningOptions.read(spec, rootKey, Role.ROOT);
            return writeAll(spec, kafka, root, List.of(event(new KeyRevoked(keyId, FreeText.clean(reason)))), "revoked");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the keys the services trust: every registration and revocation on the keys topic that the root signed, and any record there that it did not.",
            exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE)
    static final class ListKeys implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--root", required = true, paramLabel = "FILE.pub", description = "The operator root's public key file.")
        Path root;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() throws InterruptedException {
            KeyFile.Public rootKey;
            try {
                rootKey = KeyFile.readPublic(root);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            KeyRing ring = new KeyRing();
            List<String> refused = new ArrayList<>();
            PrintWriter out = spec.commandLine().getOut();
            try (KeyRingReader reader = new KeyRingReader(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers,
                    ConsumerConfig.CLIENT_ID_CONFIG, "guestguard-cli-keys"), kafka.topics().keys(), rootKey, ring, new EventCodec(),
                    (record, reason) -> refused.add("offset " + record.partition() + "@" + record.offset() + ": " + reason)).start()) {
                reader.awaitLoaded(kafka.timeout);
            } catch (IllegalStateException e) {
                spec.commandLine().getErr().println("keys list: " + e.getMessage());
                return ExitCodes.KAFKA_UNAVAILABLE;
            }
            List<KeyRing.Entry> entries = ring.entries().stream()
                    .sorted(Comparator.comparing((KeyRing.Entry e) -> e.principal().toString())).toList();
            // Columns as wide as their longest value: principals ("host-loss detector NAME") and times vary.
            int principal = Math.max("PRINCIPAL".length(), entries.stream().mapToInt(e -> e.principal().toString().length()).max().orElse(0));
            int registered = Math.max("REGISTERED".length(), entries.stream().mapToInt(e -> e.registeredAt().toString().length()).max().orElse(0));
            String row = "%-32s  %-" + principal + "s  %-" + registered + "s  %s%n";
            out.printf(row, "KEY ID", "PRINCIPAL", "REGISTERED", "REVOKED");
            entries.forEach(e -> out.printf(row, e.keyId(), e.principal(), e.registeredAt(), e.revoked() ? e.revokedAt() : "-"));
            refused.forEach(line -> out.println("not the root's, ignored: " + line));
            return ExitCodes.OK;
        }
    }

    private static CloudEvent<KeyRecord> event(KeyRecord record) {
        String kind = record instanceof KeyRegistered ? "key-registered-" : "key-revoked-";
        return new CloudEvent<>(kind + record.keyId() + "-" + Instant.now().toEpochMilli(), ROOT_SOURCE, Instant.now(),
                null, null, null, null, record);
    }

    private static int writeAll(CommandSpec spec, KafkaOptions kafka, SigningKey root, List<CloudEvent<?>> events, String done) {
        try (OperatorLog keys = kafka.openLog(Signer.with(new EventCodec(), root), kafka.topics().keys())) {
            for (CloudEvent<?> event : events) {
                KeyRecord record = (KeyRecord) event.data();
                RecordMetadata written = keys.append(record.keyId(), event);
                spec.commandLine().getOut().printf("%s key %s%s (%s partition %d, offset %d)%n", done, record.keyId(),
                        record instanceof KeyRegistered r ? " of " + r.role() + " " + r.name() : "",
                        written.topic(), written.partition(), written.offset());
            }
            return ExitCodes.OK;
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("keys " + done + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
    }
}
