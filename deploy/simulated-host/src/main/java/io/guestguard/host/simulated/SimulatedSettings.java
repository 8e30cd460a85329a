package io.guestguard.host.simulated;

import io.guestguard.host.hypervisor.SettingsReader;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A simulated host's settings ({@code guestguard.host.simulated.*}), checked with the rest of the
 * supervisor's.
 *
 * @param registry the folder every simulated host of the fleet shares
 * @param guestLogs where each guest's output goes
 * @param guestCommand the command that is a guest, with {@code {guest}} for its id
 * @param gateway the guest network, or {@code null} when guests reach Kafka directly
 */
public record SimulatedSettings(Path registry, Path guestLogs, String guestCommand, Duration migrationDowntime,
                                GuestGateway.Settings gateway) {

    /** Reads the settings, telling {@code r} of every problem. */
    public static SimulatedSettings read(Path stateDir, SettingsReader r) {
        Path registry = r.path("simulated.registry", null,
                "set it to the folder every simulated host of the fleet shares");
        String guestCommand = r.required("simulated.guest-command",
                "set it to the command that is a guest, with {guest} for its id (e.g. its guest reporter)");
        if (guestCommand != null && !guestCommand.contains("{guest}")) {
            r.problem("simulated.guest-command", "does not contain {guest}", "put {guest} where the guest's id goes");
        }
        Path guestLogs = r.path("simulated.guest-logs", stateDir == null ? null : stateDir.resolve("guests"),
                "set it to a folder for the simulated guests' output");
        return new SimulatedSettings(registry, guestLogs, guestCommand == null ? "" : guestCommand,
                r.duration("simulated.migration-downtime", "300ms"), gateway(r));
    }

    /** The simulated guest network, when {@code simulated.gateway.upstream} names the broker's guest listener. */
    private static GuestGateway.Settings gateway(SettingsReader r) {
        Optional<String> upstream = r.optional("simulated.gateway.upstream");
        if (upstream.isEmpty()) {
            return null;
        }
        String[] hostPort = upstream.get().split(":");
        int upstreamPort = hostPort.length == 2 && hostPort[1].matches("\\d{1,5}") ? Integer.parseInt(hostPort[1]) : -1;
        if (upstreamPort < 1 || upstreamPort > 65_535) {
            r.problem("simulated.gateway.upstream", "is '" + upstream.get() + "', not HOST:PORT",
                    "set it to the broker's guest listener, e.g. 127.0.0.1:9094");
            return null;
        }
        int port = r.positiveInt("simulated.gateway.port", 9192);
        if (port > 65_535) {
            r.problem("simulated.gateway.port", "is " + port, "give a port from 1 to 65535");
        }
        return new GuestGateway.Settings(r.optional("simulated.gateway.name").orElse("kafka.guestguard.internal"), port,
                InetSocketAddress.createUnresolved(hostPort[0], upstreamPort));
    }
}
