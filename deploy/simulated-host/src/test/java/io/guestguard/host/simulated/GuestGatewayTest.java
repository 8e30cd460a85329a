package io.guestguard.host.simulated;

import io.guestguard.host.hypervisor.Hypervisor;
import io.guestguard.host.hypervisor.HypervisorException;

import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The simulated guest network between two hosts: the guest's address reaches the upstream (an echo
 * server standing for Kafka's guest listener) through the host that owns the guest; a live migration
 * resets the guest's connections, and a new one reaches the upstream through the target.
 */
class GuestGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final GuestDefinition GUEST = new GuestDefinition("g1", 0, 0, null, List.of("sleep", "1000"));

    @TempDir
    Path dir;
    private ServerSocket echo;
    private SimulatedHypervisor primary;
    private SimulatedHypervisor standby;
    private int port;

    @BeforeEach
    void hosts() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(this::echoForever, "echo");
        server.setDaemon(true);
        server.start();
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        var settings = new GuestGateway.Settings("kafka.test.internal", port,
                InetSocketAddress.createUnresolved("127.0.0.1", echo.getLocalPort()));
        primary = new SimulatedHypervisor("primary", dir.resolve("registry"), dir.resolve("logs"), Duration.ofMillis(100),
                settings);
        standby = new SimulatedHypervisor("standby", dir.resolve("registry"), dir.resolve("logs"), Duration.ofMillis(100),
                settings);
    }

    @AfterEach
    void cleanUp() throws Exception {
        primary.destroy("g1");
        standby.destroy("g1");
        primary.close();
        standby.close();
        echo.close();
    }

    @Test
    void theGuestsConnectionsFollowItAndAMigrationResetsThem() throws Exception {
        primary.start(GUEST);
        Path hosts = dir.resolve("registry/.network/g1.hosts");
        String line = Files.readString(hosts).trim();
        assertThat(line).matches("127\\.77\\.\\d+\\.\\d+ kafka\\.test\\.internal");
        InetSocketAddress guestSide = new InetSocketAddress(line.split(" ")[0], port);

        Socket before = new Socket();
        before.connect(guestSide, 1_000);
        assertThat(roundTrip(before, "via primary")).isEqualTo("via primary");

        primary.migrate("g1", standby);

        assertThatThrownBy(() -> roundTrip(before, "still there?")).as("reset by the source")
                .isInstanceOfAny(SocketException.class, IOException.class);
        try (Socket after = await().atMost(WAIT).ignoreExceptions().until(() -> connect(guestSide), s -> s != null)) {
            assertThat(roundTrip(after, "via standby")).isEqualTo("via standby");
        }
        assertThat(primary.list()).isEmpty();
        assertThat(Files.readString(hosts).trim()).as("the same address on the new host").isEqualTo(line);
    }

    @Test
    void aRefusedMigrationLeavesTheGuestRunningOnItsSourceWithItsConnections() throws Exception {
        primary.start(GUEST);
        InetSocketAddress guestSide = new InetSocketAddress(
                Files.readString(dir.resolve("registry/.network/g1.hosts")).trim().split(" ")[0], port);
        Files.createFile(dir.resolve("registry/standby").resolve(SimulatedHypervisor.REFUSE_MIGRATIONS));
        try (Socket before = connect(guestSide)) {
            assertThatThrownBy(() -> primary.migrate("g1", standby)).isInstanceOf(HypervisorException.class)
                    .hasMessageContaining("refused the guest").hasMessageContaining("it stays on primary");

            assertThat(primary.find("g1")).contains(new Hypervisor.Domain("g1", Hypervisor.State.RUNNING));
            assertThat(standby.list()).as("the fault file is not a guest").isEmpty();
            assertThat(roundTrip(before, "kept")).isEqualTo("kept");
        }
    }

    @Test
    void aGuestThatEndsLosesItsNetwork() throws Exception {
        primary.start(GUEST);
        InetSocketAddress guestSide = new InetSocketAddress(
                Files.readString(dir.resolve("registry/.network/g1.hosts")).trim().split(" ")[0], port);
        connect(guestSide).close();
        primary.destroy("g1");

        await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> connect(guestSide))
                .isInstanceOf(IOException.class));
    }

    @Test
    void theRelayForwardsSmallWritesAtOnceAsANatDoes() throws Exception {
        var settings = new GuestGateway.Settings("kafka.test.internal", port,
                InetSocketAddress.createUnresolved("127.0.0.1", echo.getLocalPort()));
        try (GuestGateway gateway = new GuestGateway("h1", settings, dir.resolve("network"))) {
            InetSocketAddress guestSide = new InetSocketAddress(
                    Files.readString(gateway.prepare("g1")).trim().split(" ")[0], port);
            assertThat(gateway.serve("g1")).isTrue();
            try (Socket socket = connect(guestSide)) {
                assertThat(roundTrip(socket, "one request")).isEqualTo("one request");

                // Nagle's algorithm on a relayed socket holds each small write back until the one before is
                // acknowledged, a delayed ACK of up to 40 ms: a Kafka request or response split in two.
                assertThat(gateway.relayed("g1")).as("the guest's end and the broker's").hasSize(2)
                        .allSatisfy(relayed -> assertThat(relayed.getTcpNoDelay()).as("TCP_NODELAY").isTrue());
            }
        }
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 1_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        socket.setSoTimeout(5_000);
        InputStream in = socket.getInputStream();
        byte[] back = in.readNBytes(bytes.length);
        if (back.length < bytes.length) {
            throw new IOException("closed after " + back.length + " bytes");
        }
        return new String(back, StandardCharsets.UTF_8);
    }

    private void echoForever() {
        while (!echo.isClosed()) {
            try {
                Socket socket = echo.accept();
                Thread t = new Thread(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                    } catch (IOException ignored) {
                        // the gateway reset it
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }
}
