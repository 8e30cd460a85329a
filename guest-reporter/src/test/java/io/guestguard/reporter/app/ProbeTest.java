package io.guestguard.reporter.app;

import io.guestguard.process.ProcessGroups;
import com.sun.net.httpserver.HttpServer;
import io.guestguard.protocol.AppFailed;

import io.guestguard.reporter.config.AppSpec;
import io.guestguard.reporter.config.ProbeSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.guestguard.reporter.app.Apps.alive;
import static io.guestguard.reporter.app.Apps.exec;
import static io.guestguard.reporter.app.Apps.probe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Probes against real sockets, a real HTTP server and a real pid file; a failing probe fails the application and ends it. */
class ProbeTest extends SupervisorFixture {




    @Test
    void aTcpProbeFailsTheApplicationAfterThresholdRefusedConnections() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        supervisor = supervise(exec("web", "sleep 86400", probe(new ProbeSpec.Tcp("127.0.0.1", port), 2)));
        supervisor.startAll();
        long pid = events.awaitStarted("web");
        await("the port answers").during(Duration.ofMillis(500)).atMost(Recorder.DEADLINE).until(() -> supervisor.isRunning("web"));

        server.close();

        AppFailed failure = events.awaitFailure("web");
        assertThat(failure).isEqualTo(AppFailed.unhealthy("web", pid, "probe", "tcp 127.0.0.1:" + port + ": connection refused, 2 in a row"));
        await("the application is ended after the report").atMost(Recorder.DEADLINE).until(() -> !alive(pid));
        assertThat(events.events).containsExactly("started web " + pid, "failed web " + pid + " " + failure.cause());
    }

    @Test
    void anHttpProbeFailsTheApplicationWhenTheStatusIsNotTheExpectedOne() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(healthy.get() ? 200 : 500, -1);
            exchange.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health");
            supervisor = supervise(exec("web", "sleep 86400", probe(new ProbeSpec.Http(url, 200), 3)));
            supervisor.startAll();
            long pid = events.awaitStarted("web");
            await("200 is healthy").during(Duration.ofMillis(500)).atMost(Recorder.DEADLINE).until(() -> supervisor.isRunning("web"));

            healthy.set(false);

            AppFailed failure = events.awaitFailure("web");
            assertThat(failure).isEqualTo(AppFailed.unhealthy("web", pid, "probe", "http " + url + ": status 500, expected 200, 3 in a row"));
            await().atMost(Recorder.DEADLINE).until(() -> !alive(pid));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aPidfileProbeWatchesAGrandchildAndReportsItsPid() {
        Path pidfile = dir.resolve("daemon.pid");
        // the daemon is a grandchild, re-parented away once the subshell exits: only its pid file knows it
        supervisor = supervise(exec("daemon", "sh -c '(sleep 1000 & echo $! > " + pidfile + "); exec sleep 1001'",
                new ProbeSpec(new ProbeSpec.Pidfile(pidfile), Duration.ofMillis(100), Duration.ofMillis(500), 1, Duration.ofMillis(300))));
        supervisor.startAll();
        long leader = events.awaitStarted("daemon");
        long daemon = Apps.pidIn(pidfile);
        assertThat(daemon).isNotEqualTo(leader);
        assertThat(ProcessGroups.groupOf(daemon)).isEqualTo(leader);
        await("the daemon is healthy").during(Duration.ofMillis(500)).atMost(Recorder.DEADLINE).until(() -> supervisor.isRunning("daemon"));

        ProcessHandle.of(daemon).orElseThrow().destroyForcibly();

        AppFailed failure = events.awaitFailure("daemon");
        assertThat(failure).isEqualTo(AppFailed.unhealthy("daemon", daemon, "probe", "pidfile " + pidfile + ": pid " + daemon + " is not running"));
        await("the rest of its group is ended").atMost(Recorder.DEADLINE).until(() -> !alive(leader));
    }

}
