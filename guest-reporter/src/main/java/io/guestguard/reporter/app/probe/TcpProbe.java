package io.guestguard.reporter.app.probe;

import io.guestguard.protocol.Durations;
import io.guestguard.reporter.config.ProbeSpec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;

/** Healthy when a TCP connection opens within the timeout; the connection is closed at once. */
final class TcpProbe implements Probe {

    private final ProbeSpec.Tcp target;

    TcpProbe(ProbeSpec.Tcp target) {
        this.target = target;
    }

    @Override
    public Result check(Duration timeout) {
        String what = "tcp " + target.host() + ":" + target.port();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), (int) Math.max(1, timeout.toMillis()));
            return Result.healthy(null);
        } catch (SocketTimeoutException e) {
            return Result.failed(what + ": timed out after " + Durations.format(timeout.toMillis()), null);
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return Result.failed(what + ": " + reason.toLowerCase(Locale.ROOT), null);
        }
    }
}
