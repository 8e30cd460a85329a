package io.guestguard.streams;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Trust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How a Kafka Streams service turns its settings into its {@link Trust}: on when
 * {@value #ROOT_KEY_FILE} names the operator root's public key file (the key ring is read from the
 * keys topic before the service starts), off otherwise. Both services read the same settings and
 * reach Kafka with the client settings Kafka Streams has, so this lives here once.
 */
public final class ServiceTrust {

    /** The operator root's public key file: set, signatures are on. */
    public static final String ROOT_KEY_FILE = "guestguard.trust.root-key-file";
    /** The service's own private key file. */
    public static final String KEY_FILE = "guestguard.trust.key-file";

    private static final Logger LOG = LoggerFactory.getLogger(ServiceTrust.class);

    private ServiceTrust() {
    }

    /** The settings every service that signs has ({@code guestguard.trust.*}); a service's mapping extends it. */
    public interface Settings {
        /** {@value #ROOT_KEY_FILE}: the operator root's public key file; unset, nothing is signed or checked. */
        Optional<Path> rootKeyFile();

        /** {@value #KEY_FILE}: the service's own private key file. */
        Optional<Path> keyFile();
    }

    /**
     * @param kafka the Kafka client settings (bootstrap servers, security): the service's {@code kafka.*}
     * @throws IllegalArgumentException naming the setting or the file, the field and the fix
     * @throws IllegalStateException    when the keys topic cannot be read in {@link Trust#LOAD_TIMEOUT}
     */
    public static Trust open(String service, Optional<Path> rootKeyFile, Map<String, Object> kafka, Topics topics,
                             EventCodec codec) {
        if (rootKeyFile.isEmpty()) {
            return Trust.off(codec, service);
        }
        try {
            Trust trust = Trust.on(rootKeyFile.get(), kafka, topics, codec, (record, reason) -> LOG.warn(
                    "{}: a record on {} is not the operator root's, ignored: {}", service, record.topic(), reason));
            LOG.info("{}: signatures are on: every record it writes is signed, every record it reads is checked "
                    + "(root key {})", service, rootKeyFile.get());
            return trust;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(service + ": interrupted while reading the keys topic", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ROOT_KEY_FILE + ": " + e.getMessage(), e);
        }
    }
}
