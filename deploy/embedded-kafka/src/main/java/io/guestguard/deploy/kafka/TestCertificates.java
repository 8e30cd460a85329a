package io.guestguard.deploy.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and the PKCS12 stores a TLS broker and its clients need, made
 * with the JDK's own {@code keytool} (run as a process: no library, no network). Every store shares
 * one generated password, kept in {@link #passwordFile()} so no client is given it on a command line.
 * For tests and the local fleet only: the keys are short-lived and unprotected.
 */
public final class TestCertificates {

    private static final Path KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool");

    private final Path dir;
    private final String password;

    private TestCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** Makes the authority and its truststore in {@code dir}. */
    public static TestCertificates create(Path dir) {
        TestCertificates certificates = new TestCertificates(dir, Long.toHexString(new java.security.SecureRandom().nextLong()));
        try {
            Files.createDirectories(dir);
            Files.writeString(certificates.passwordFile(), certificates.password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
        certificates.keytool("-genkeypair", "-keystore", "ca.p12", "-alias", "ca", "-dname", "CN=GuestGuard test CA",
                "-ext", "bc:c", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2");
        certificates.keytool("-exportcert", "-keystore", "ca.p12", "-alias", "ca", "-rfc", "-file", "ca.pem");
        certificates.keytool("-importcert", "-keystore", "truststore.p12", "-alias", "ca", "-file", "ca.pem", "-noprompt");
        return certificates;
    }

    /**
     * A keystore for {@code commonName} signed by the authority, valid for 127.0.0.1, localhost and
     * {@code dnsNames} (so clients may verify a broker's name), e.g. the broker's, or a client's for mutual TLS.
     */
    public Path keystore(String commonName, String... dnsNames) {
        String store = commonName + ".p12";
        keytool("-genkeypair", "-keystore", store, "-alias", "key", "-dname", "CN=" + commonName,
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2");
        keytool("-certreq", "-keystore", store, "-alias", "key", "-file", commonName + ".csr");
        keytool("-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", commonName + ".csr", "-outfile", commonName + ".pem",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost" + java.util.Arrays.stream(dnsNames).map(n -> ",dns:" + n)
                        .collect(java.util.stream.Collectors.joining()), "-validity", "2");
        keytool("-importcert", "-keystore", store, "-alias", "ca", "-file", "ca.pem", "-noprompt");
        keytool("-importcert", "-keystore", store, "-alias", "key", "-file", commonName + ".pem");
        return dir.resolve(store);
    }

    /** The truststore holding the authority's certificate. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The one password of every store made here. */
    public String password() {
        return password;
    }

    /** A file holding {@link #password()}, for {@code ssl.*.password.file}. */
    public Path passwordFile() {
        return dir.resolve("store.password");
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>(List.of(KEYTOOL.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass:file", passwordFile().toString()));
        if (List.of(args).contains("-genkeypair")) {
            command.addAll(List.of("-keypass:file", passwordFile().toString()));
        }
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + KEYTOOL, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
