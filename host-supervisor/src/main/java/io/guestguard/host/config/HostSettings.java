package io.guestguard.host.config;

import io.guestguard.host.hypervisor.GuestGateway;
import io.guestguard.protocol.Durations;

import java.net.InetSocketAddress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A host supervisor's settings, read from its configuration (properties, {@code -D} flags or
 * environment) and checked as a whole: every problem is reported at once, naming the property and
 * the fix, and the supervisor does not start with any.
 *
 * @param hypervisor {@code libvirt} or {@code simulated}
 * @param guestCommand the simulated guest's command with {@code {guest}}; empty for libvirt
 * @param fenceCommand the fence hook's command line, whitespace-separated; empty: none
 * @param gateway the simulated guest network, or {@code null} when guests reach Kafka directly
 * @param commandRetry how a command whose execution throws is tried again
 * @param maxGuests the most guests whose placement the fleet watch keeps
 * @param maxHosts the most hosts whose latest beat the fleet watch keeps
 */
public record HostSettings(String host, String hypervisor, String libvirtUri, String libvirtPeerUri, Path registry,
                           Path guestLogs, String guestCommand, Duration migrationDowntime, Path guestDir,
                           int guestMemoryMiB, int guestVcpus, Path stateDir, List<String> fenceCommand,
                           Duration fenceTimeout, Duration haltGrace, Duration peerTimeout,
                           GuestGateway.Settings gateway, Retry commandRetry, int maxGuests, int maxHosts) {

    /**
     * Tries again after {@code firstDelay}, doubling up to {@code maxDelay}, {@code attempts} tries in
     * all (the first included).
     */
    public record Retry(Duration firstDelay, Duration maxDelay, int attempts) {
    }

    public static final String PREFIX = "guestguard.host.";

    /** Reads and checks the settings; {@code lookup} gives a property's value, if set. */
    public static HostSettings read(Function<String, Optional<String>> lookup) {
        Reader r = new Reader(lookup);
        String host = r.required("id", "set it to this host's id, e.g. -Dguestguard.host.id=h1");
        String hypervisor = r.optional("hypervisor").orElse("libvirt");
        if (!hypervisor.equals("libvirt") && !hypervisor.equals("simulated")) {
            r.problem("hypervisor", "is '" + hypervisor + "'", "set it to libvirt or simulated");
        }
        boolean simulated = hypervisor.equals("simulated");
        Path stateDir = r.path("state-dir", null, "set it to a folder this host keeps its command journal in, "
                + "e.g. /var/lib/guestguard/host");
        Path registry = simulated ? r.path("simulated.registry", null,
                "set it to the folder every simulated host of the fleet shares") : null;
        String guestCommand = simulated ? r.required("simulated.guest-command",
                "set it to the command that is a guest, with {guest} for its id (e.g. its guest reporter)") : "";
        if (guestCommand != null && simulated && !guestCommand.contains("{guest}")) {
            r.problem("simulated.guest-command", "does not contain {guest}", "put {guest} where the guest's id goes");
        }
        Path guestLogs = simulated ? r.path("simulated.guest-logs", stateDir == null ? null : stateDir.resolve("guests"),
                "set it to a folder for the simulated guests' output") : null;
        HostSettings settings = new HostSettings(host, hypervisor,
                r.optional("libvirt.uri").orElse("qemu:///system"),
                r.optional("libvirt.peer-uri").orElse("qemu+ssh://{host}/system"),
                registry, guestLogs, guestCommand == null ? "" : guestCommand,
                r.duration("simulated.migration-downtime", "300ms"),
                r.optional("guest-dir").map(Path::of).orElse(null),
                r.positiveInt("guest-memory-mib", 1024), r.positiveInt("guest-vcpus", 1),
                stateDir,
                r.optional("fence-command").filter(c -> !c.isBlank()).map(c -> List.of(c.trim().split("\\s+"))).orElse(List.of()),
                r.duration("fence-timeout", "30s"), r.duration("halt-grace", "30s"), r.duration("peer-timeout", "1s"),
                simulated ? gateway(r) : null,
                new Retry(r.duration("command-retry.first-delay", "1s"), r.duration("command-retry.max-delay", "30s"),
                        r.positiveInt("command-retry.attempts", 6)),
                r.positiveInt("max-guests", 50_000), r.positiveInt("max-hosts", 2_000));
        if (settings.commandRetry().maxDelay().compareTo(settings.commandRetry().firstDelay()) < 0) {
            r.problem("command-retry.max-delay", "is shorter than command-retry.first-delay",
                    "give a longer one, e.g. 30s");
        }
        r.failIfAny();
        return settings;
    }

    /** The simulated guest network, when {@code simulated.gateway.upstream} names the broker's guest listener. */
    private static GuestGateway.Settings gateway(Reader r) {
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

    /** Reads properties under {@link #PREFIX}, collecting problems. */
    private static final class Reader {
        private final Function<String, Optional<String>> lookup;
        private final List<String> problems = new ArrayList<>();

        Reader(Function<String, Optional<String>> lookup) {
            this.lookup = lookup;
        }

        Optional<String> optional(String name) {
            return lookup.apply(PREFIX + name).map(String::trim).filter(v -> !v.isEmpty());
        }

        String required(String name, String fix) {
            Optional<String> value = optional(name);
            if (value.isEmpty()) {
                problem(name, "is not set", fix);
                return null;
            }
            return value.get();
        }

        Path path(String name, Path fallback, String fix) {
            Optional<String> value = optional(name);
            if (value.isEmpty() && fallback == null) {
                problem(name, "is not set", fix);
                return null;
            }
            return value.map(Path::of).orElse(fallback);
        }

        Duration duration(String name, String fallback) {
            String value = optional(name).orElse(fallback);
            java.util.OptionalLong ms = Durations.parseMillis(value);
            if (ms.isEmpty() || ms.getAsLong() == 0) {
                problem(name, "is '" + value + "', not a positive duration", Durations.SYNTAX);
                return Duration.ofMillis(Durations.parseMillis(fallback).orElseThrow());
            }
            return Duration.ofMillis(ms.getAsLong());
        }

        int positiveInt(String name, int fallback) {
            Optional<String> value = optional(name);
            try {
                int n = value.map(Integer::parseInt).orElse(fallback);
                if (n < 1) {
                    problem(name, "is " + n, "give a whole number of at least 1");
                }
                return n;
            } catch (NumberFormatException e) {
                problem(name, "is '" + value.get() + "', not a whole number", "give a whole number of at least 1");
                return fallback;
            }
        }

        void problem(String name, String what, String fix) {
            problems.add(PREFIX + name + ": " + what + "; " + fix);
        }

        void failIfAny() {
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid host supervisor configuration (application.properties, "
                        + "-D flags or GUESTGUARD_HOST_* environment):\n  " + String.join("\n  ", problems));
            }
        }
    }
}
