package io.guestguard.console.act;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.Trust;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The console as an operator: the key it signs its users' requests with and the guest log it writes
 * them to, through the same {@link OperatorLog} as the CLI. Its operator name is its key's principal
 * name ({@code operator} of every request it writes must be, or the engine refuses the record); the
 * user who pressed the button goes in the request's {@code onBehalfOf}.
 *
 * <p>Settings, as the other services name them: {@value #ROOT_KEY_FILE} (the operator root's public
 * key: signatures on) and {@value #KEY_FILE} (the console's own operator key, required then). Both are
 * read at start, so a wrong key stops the console with the setting and the fix named, not the first
 * press of a button. The guest log is opened at the first request and kept; a failed open is tried
 * again at the next.
 */
@ApplicationScoped
public class ConsoleOperator {

    public static final String ROOT_KEY_FILE = "guestguard.trust.root-key-file";
    public static final String KEY_FILE = "guestguard.trust.key-file";
    /** The operator name of an unsigned console (signatures off): who the records say asked. */
    static final String UNSIGNED_NAME = "console";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final OperatorLog.Wording WORDING = new OperatorLog.Wording("kafka.bootstrap.servers",
            "KAFKA_BOOTSTRAP_SERVERS", "guestguard.topic-prefix");
    private static final Logger LOG = Logger.getLogger(ConsoleOperator.class);

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final Optional<Path> rootKeyFile;
    private final Optional<Path> keyFile;
    private Trust trust;
    private Signer signer;
    private String name;
    private OperatorLog log;

    public ConsoleOperator(KafkaClientSettings kafka, @ConfigProperty(name = "guestguard.topic-prefix") String prefix,
                           @ConfigProperty(name = ROOT_KEY_FILE) Optional<Path> rootKeyFile,
                           @ConfigProperty(name = KEY_FILE) Optional<Path> keyFile) {
        this.kafka = kafka;
        this.topics = new Topics(prefix);
        this.rootKeyFile = rootKeyFile;
        this.keyFile = keyFile;
    }

    synchronized void start(@Observes StartupEvent started) throws InterruptedException {
        EventCodec codec = new EventCodec();
        if (rootKeyFile.isEmpty()) {
            trust = Trust.off(codec, "console");
        } else {
            try {
                trust = Trust.on(rootKeyFile.get(), kafka.properties(), topics, codec, (record, reason) -> LOG.warnf(
                        "a record on %s is not the operator root's, ignored: %s", record.topic(), reason));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ROOT_KEY_FILE + ": " + e.getMessage(), e);
            }
        }
        // Both checked here: the key must be an operator's (Trust.signer says which setting and fix).
        signer = trust.signer(KEY_FILE, keyFile.orElse(null), Role.OPERATOR);
        name = trust.on() ? KeyFile.readPrivate(keyFile.get()).principal().name() : UNSIGNED_NAME;
        LOG.infof("operator actions are written to %s as operator %s%s", topics.guestLog(), name,
                trust.on() ? " (signed with " + keyFile.get() + ")" : " (unsigned: signatures are off)");
    }

    void stop(@Observes ShutdownEvent stopping) {
        synchronized (this) {
            if (log != null) {
                log.close();
            }
            if (trust != null) {
                trust.close();
            }
        }
    }

    /** The operator name the console's requests carry: its key's principal's. */
    public synchronized String name() {
        return name;
    }

    /** Whether its requests are signed. */
    public synchronized boolean signs() {
        return trust.on();
    }

    public String guestLog() {
        return topics.guestLog();
    }

    /**
     * The guest log, open for the console's signed requests.
     *
     * @throws KafkaUnavailableException with the reason and the fix, when Kafka cannot take it now
     */
    synchronized OperatorLog log() throws KafkaUnavailableException {
        if (log == null) {
            log = OperatorLog.open(kafka, topics.guestLog(), TIMEOUT, signer, "guestguard-console", WORDING);
        }
        return log;
    }

    /** Closes the log after a failure, so the next request connects afresh. */
    synchronized void reset() {
        if (log != null) {
            log.close();
            log = null;
        }
    }
}
