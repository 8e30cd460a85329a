package io.guestguard.host.simulated;

import io.guestguard.host.hypervisor.Hypervisor;
import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;
import io.guestguard.host.hypervisor.HypervisorAdapter;
import io.guestguard.host.hypervisor.SettingsReader;
import io.guestguard.process.ProcessGroups;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code guestguard.host.hypervisor=simulated}: the {@link SimulatedHypervisor} plugged into a host
 * supervisor through the port's {@link HypervisorAdapter} extension point. The supervisor finds it
 * with {@link java.util.ServiceLoader} when this module is on its class path (tests) or on
 * {@code guestguard.host.hypervisor-path} ({@link #classPath()}; the local fleet).
 */
public final class SimulatedAdapter implements HypervisorAdapter {

    public static final String NAME = "simulated";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Connector configure(String ownHost, Path stateDir, SettingsReader settings) {
        SimulatedSettings simulated = SimulatedSettings.read(stateDir, settings);
        List<String> template = simulated.guestCommand().isBlank() ? List.of()
                : Arrays.asList(simulated.guestCommand().trim().split("\\s+"));
        return new Connector() {
            @Override
            public Hypervisor connect(String host) {
                // Only this host's own hypervisor serves its guests' network; a peer's is its own supervisor's.
                return new SimulatedHypervisor(host, simulated.registry(), simulated.guestLogs(),
                        simulated.migrationDowntime(), host.equals(ownHost) ? simulated.gateway() : null);
            }

            @Override
            public GuestDefinition definition(String guest) {
                return new GuestDefinition(guest, 0, 0, null,
                        template.stream().map(arg -> arg.replace("{guest}", guest)).toList());
            }
        };
    }

    /**
     * What a host supervisor needs on {@code guestguard.host.hypervisor-path} to run simulated hosts:
     * this module's jar (or classes folder) and process-groups', {@link File#pathSeparator}-separated.
     */
    public static String classPath() {
        return Stream.of(SimulatedAdapter.class, ProcessGroups.class).map(SimulatedAdapter::location).distinct()
                .map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate " + type, e);
        }
    }
}
