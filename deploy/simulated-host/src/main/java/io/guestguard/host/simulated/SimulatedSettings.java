package io.guestguard.host.simulated;

import io.guestguard.host.hypervisor.SettingsReader;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The simulated guest network, when {@code simulated.gateway.upstream} names the broker's guest
     * listener, or each broker's of a cluster ({@code HOST:PORT,HOST:PORT,...}, with as many ports in
     * {@code simulated.gateway.port}, in the same order).
     */
    private static GuestGateway.Settings gateway(SettingsReader r) {
        Optional<String> upstream = r.optional("simulated.gateway.upstream");
        if (upstream.isEmpty()) {
            return null;
        }
        List<InetSocketAddress> upstreams = new ArrayList<>();
        for (String one : upstream.get().split(",")) {
            String[] hostPort = one.trim().split(":");
            int upstreamPort = hostPort.length == 2 && hostPort[1].matches("\\d{1,5}") ? Integer.parseInt(hostPort[1]) : -1;
            if (upstreamPort < 1 || upstreamPort > 65_535) {
                r.problem("simulated.gateway.upstream", "is '" + upstream.get() + "', not HOST:PORT",
                        "set it to the broker's guest listener, e.g. 127.0.0.1:9094 (a cluster's: HOST:PORT,HOST:PORT,...)");
                return null;
            }
            upstreams.add(InetSocketAddress.createUnresolved(hostPort[0], upstreamPort));
        }
        List<Integer> ports = new ArrayList<>();
        String portSetting = r.optional("simulated.gateway.port").orElse("9192");
        for (String one : portSetting.split(",")) {
            int port = one.trim().matches("\\d{1,9}") ? Integer.parseInt(one.trim()) : -1;
            if (port < 1 || port > 65_535) {
                r.problem("simulated.gateway.port", "is " + portSetting, "give a port from 1 to 65535"
                        + (upstreams.size() > 1 ? " for each broker" : ""));
                return null;
            }
            ports.add(port);
        }
        if (ports.size() != upstreams.size()) {
            r.problem("simulated.gateway.port", "gives " + ports.size() + " ports for " + upstreams.size()
                    + " brokers in simulated.gateway.upstream", "give one port per broker, in the same order");
            return null;
        }
        List<GuestGateway.Route> routes = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            routes.add(new GuestGateway.Route(ports.get(i), upstreams.get(i)));
        }
        return new GuestGateway.Settings(r.optional("simulated.gateway.name").orElse("kafka.guestguard.internal"), routes);
    }
}
