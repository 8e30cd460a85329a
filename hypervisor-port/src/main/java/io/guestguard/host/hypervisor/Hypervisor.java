package io.guestguard.host.hypervisor;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The host supervisor's port to the hypervisor of its host: what it needs to run, stop, pause and
 * move guests and to learn of their life. The supervisor has one adapter, libvirt (real hosts); others
 * plug in as a {@link HypervisorAdapter} (the simulated host of the local fleet and the tests, module
 * {@code deploy/simulated-host}). Guests are named by their GuestGuard guest id.
 */
public interface Hypervisor extends AutoCloseable {

    /** Every guest this host knows of, running or not. */
    List<Domain> list() throws HypervisorException;

    /** One guest's state, if this host knows it. */
    Optional<Domain> find(String guest) throws HypervisorException;

    /** Defines the guest if needed and starts it; returns once it runs. Starting a running guest is an error. */
    void start(GuestDefinition guest) throws HypervisorException;

    /** Asks the guest to shut down and waits up to {@code grace}; then destroys it. Returns once it is off. */
    void shutdown(String guest, Duration grace) throws HypervisorException;

    /** Stops the guest at once (power off). A guest already off is fine. */
    void destroy(String guest) throws HypervisorException;

    /** Pauses the guest's CPUs; it keeps its memory. */
    void suspend(String guest) throws HypervisorException;

    /** Resumes a paused guest. */
    void resume(String guest) throws HypervisorException;

    /**
     * Live-migrates the guest to {@code target}, a hypervisor of the same kind; returns once it runs
     * there. Fails with {@link HypervisorException} when the driver cannot migrate.
     */
    void migrate(String guest, Hypervisor target) throws HypervisorException;

    /**
     * Tells {@code listener} of every lifecycle event of this host's guests (from callbacks or
     * polling, as the adapter can) until the returned handle is closed.
     */
    AutoCloseable onEvent(Consumer<DomainEvent> listener) throws HypervisorException;

    /** Releases the connection; the guests keep running. */
    @Override
    void close();

    /** A guest as the hypervisor sees it. */
    record Domain(String guest, State state) {
    }

    /** What a guest is doing, in the hypervisor's terms. */
    enum State { RUNNING, PAUSED, SHUT_OFF, CRASHED, OTHER }

    /**
     * A lifecycle event of one guest.
     *
     * @param detail the hypervisor's own word for it (e.g. libvirt's event detail), for logs
     */
    record DomainEvent(String guest, Kind kind, String detail) {
        public enum Kind { STARTED, STOPPED, CRASHED, SUSPENDED, RESUMED, MIGRATED_AWAY, MIGRATED_IN, OTHER }
    }

    /**
     * What a host needs to start a guest: for libvirt, the domain's memory and CPUs (or a whole
     * domain XML); for the simulated hypervisor, the command that is the guest (its reporter).
     *
     * @param domainXml a complete libvirt domain XML, or {@code null} to derive one from the other fields
     * @param command the simulated guest's command line, or an empty list
     */
    record GuestDefinition(String guest, int memoryMiB, int vcpus, String domainXml, List<String> command) {
        public GuestDefinition {
            command = List.copyOf(command);
        }
    }
}
