package io.guestguard.policy.engine;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP port where the engine's OTLP exporter is told to send ({@code quarkus.otel.exporter.otlp.endpoint}),
 * counting the connections made to it: none is how a test sees that nothing tries to connect.
 */
public class OtlpListener implements QuarkusTestResourceLifecycleManager {

    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private ServerSocket server;

    /** Connections accepted since the listener started. */
    public static int connections() {
        return CONNECTIONS.get();
    }

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket ignored = server.accept()) {
                    CONNECTIONS.incrementAndGet();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "otlp-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        return Map.of("quarkus.otel.exporter.otlp.endpoint", "http://127.0.0.1:" + server.getLocalPort());
    }

    @Override
    public void stop() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
