package io.guestguard.host.hypervisor;

import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;

import java.nio.file.Path;

/**
 * An adapter of the {@link Hypervisor} port: the host supervisor runs the one whose {@link #name()}
 * is {@code guestguard.host.hypervisor}. libvirt is built into the supervisor; any other adapter is
 * found with {@link java.util.ServiceLoader} (a {@code META-INF/services/io.guestguard.host.hypervisor.HypervisorAdapter}
 * file in its jar), on the supervisor's class path or on {@code guestguard.host.hypervisor-path}, so
 * an adapter needs neither a rebuild of the supervisor nor a dependency of the supervisor on it
 * (the local fleet plugs the simulated host in so). An adapter depends on this module only.
 */
public interface HypervisorAdapter {

    /** The value of {@code guestguard.host.hypervisor} that selects this adapter. */
    String name();

    /**
     * Reads and checks this adapter's own settings ({@code guestguard.host.NAME.*} by convention),
     * telling {@code settings} of every problem; the supervisor does not start while any is told.
     *
     * @param host this host's id
     * @param stateDir this host's state folder, or {@code null} when it is not set (a problem told already)
     */
    Connector configure(String host, Path stateDir, SettingsReader settings);

    /** A configured adapter: how this host reaches hypervisors and defines its guests. */
    interface Connector {

        /** Connects to {@code host}'s hypervisor: this host's own, or a live migration's target. */
        Hypervisor connect(String host) throws HypervisorException;

        /** What this host starts when told to start {@code guest} (the command names only the guest). */
        GuestDefinition definition(String guest);
    }
}
