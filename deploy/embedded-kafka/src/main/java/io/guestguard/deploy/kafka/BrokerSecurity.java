package io.guestguard.deploy.kafka;

import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker's secure side: a SASL_SSL listener (SCRAM-SHA-512 users), a mutual-TLS listener
 * (the client's certificate is its principal, {@code User:CN=name}), and ACLs enforced by KRaft's
 * {@code StandardAuthorizer} with nothing allowed unless granted. The broker's plaintext listener stays
 * for the harness (creating topics, users and ACLs, and the tests' own observers): its anonymous
 * principal is the super user, so it must never be handed to a service under test.
 */
public final class BrokerSecurity {

    private static final String SCRAM_LISTENER = "SECURE";
    private static final String TLS_LISTENER = "MTLS";
    private static final Duration USABLE_WITHIN = Duration.ofSeconds(30);

    private final TestCertificates certificates;
    private final Path dir;
    private final String saslSsl;
    private final String mutualTls;
    private String adminServers;

    private BrokerSecurity(TestCertificates certificates, Path dir) {
        this.certificates = certificates;
        this.dir = dir;
        this.saslSsl = "127.0.0.1:" + EmbeddedKafka.freePort();
        this.mutualTls = "127.0.0.1:" + EmbeddedKafka.freePort();
    }

    /**
     * Makes the certificates in {@code dir} (the broker's valid for {@code brokerNames} too), ports for
     * both listeners and room for the users' password files.
     */
    static BrokerSecurity create(Path dir, String... brokerNames) {
        TestCertificates certificates = TestCertificates.create(dir);
        certificates.keystore("broker", brokerNames);
        return new BrokerSecurity(certificates, dir);
    }

    /** Adds both listeners and the authorizer to the broker's configuration. */
    void configure(Properties props) {
        props.put("listeners", props.getProperty("listeners") + "," + SCRAM_LISTENER + "://" + saslSsl + "," + TLS_LISTENER + "://" + mutualTls);
        props.put("advertised.listeners", props.getProperty("advertised.listeners") + "," + SCRAM_LISTENER + "://" + saslSsl
                + "," + TLS_LISTENER + "://" + mutualTls);
        props.put("listener.security.protocol.map", props.getProperty("listener.security.protocol.map") + ","
                + SCRAM_LISTENER + ":SASL_SSL," + TLS_LISTENER + ":SSL");
        scram(props, SCRAM_LISTENER);
        props.put("listener.name." + TLS_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".ssl.client.auth", "required");
        props.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.password", certificates.password());
        props.put("ssl.key.password", certificates.password());
        props.put("ssl.truststore.location", certificates.truststore().toString());
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.password", certificates.password());
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        // The harness's plaintext listener and the controller's: anonymous, on 127.0.0.1 only.
        props.put("super.users", "User:ANONYMOUS");
    }

    /** Makes {@code listener} (a SASL_SSL one) take SCRAM-SHA-512 logins. */
    void scram(Properties props, String listener) {
        String prefix = "listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".";
        props.put(prefix + "sasl.enabled.mechanisms", KafkaClientSettings.SCRAM);
        props.put(prefix + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }

    void started(String plaintextServers) {
        this.adminServers = plaintextServers;
    }

    /** {@code host:port} of the SASL_SSL listener. */
    public String saslSsl() {
        return saslSsl;
    }

    /** {@code host:port} of the mutual-TLS listener. */
    public String mutualTls() {
        return mutualTls;
    }

    public TestCertificates certificates() {
        return certificates;
    }

    /**
     * Creates SCRAM-SHA-512 user {@code user} with a new password (kept in a file beside the
     * certificates) and returns its client settings, once the broker accepts them.
     */
    public Map<String, String> scramUser(String user) {
        Path passwordFile = dir.resolve(user + ".password");
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            Files.writeString(passwordFile, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + passwordFile, e);
        }
        withAdmin(admin -> admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS));
        Map<String, String> settings = scramSettings(user);
        awaitUsable(settings);
        return settings;
    }

    /** The client settings of {@link #scramUser} {@code user}, made before. */
    public Map<String, String> scramSettings(String user) {
        Map<String, String> settings = new LinkedHashMap<>(trust(saslSsl, "SASL_SSL"));
        settings.put("sasl.username", user);
        settings.put("sasl.password.file", dir.resolve(user + ".password").toString());
        return settings;
    }

    /**
     * A keystore for {@code commonName} (the broker knows its holder as {@code User:CN=commonName}),
     * and the client settings of the mutual-TLS listener with it.
     */
    public Map<String, String> tlsClient(String commonName) {
        certificates.keystore(commonName);
        return tlsSettings(commonName);
    }

    /** The client settings of {@link #tlsClient} {@code commonName}, whose keystore was made before. */
    public Map<String, String> tlsSettings(String commonName) {
        Map<String, String> settings = new LinkedHashMap<>(trust(mutualTls, "SSL"));
        settings.put("ssl.keystore.location", dir.resolve(commonName + ".p12").toString());
        settings.put("ssl.keystore.password.file", certificates.passwordFile().toString());
        return settings;
    }

    /** Grants {@code acls} and returns once the broker's authorizer has them all. */
    public void allow(Collection<AclBinding> acls) {
        withAdmin(admin -> {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + USABLE_WITHIN.toNanos();
            while (!new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS)).containsAll(acls)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not take the ACLs within " + USABLE_WITHIN);
                }
                Thread.sleep(20);
            }
            return null;
        });
    }

    private Map<String, String> trust(String servers, String protocol) {
        return Map.of("bootstrap.servers", servers, "security.protocol", protocol,
                "ssl.truststore.location", certificates.truststore().toString(),
                "ssl.truststore.password.file", certificates.passwordFile().toString());
    }

    /** A new SCRAM user is known to the broker shortly after the controller stores it: wait for a login. */
    private void awaitUsable(Map<String, String> settings) {
        Map<String, Object> client = KafkaClientSettings.read(settings, "test user", key -> key).properties();
        long deadline = System.nanoTime() + USABLE_WITHIN.toNanos();
        while (true) {
            try (Admin admin = Admin.create(client)) {
                admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("user " + settings.get("sasl.username") + " cannot log in at " + saslSsl, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private interface AdminWork {
        Object run(Admin admin) throws Exception;
    }

    private void withAdmin(AdminWork work) {
        try (Admin admin = io.guestguard.protocol.kafka.TopicPlan.admin(adminServers)) {
            work.run(admin);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot administer the broker at " + adminServers + ": " + e, e);
        }
    }
}
