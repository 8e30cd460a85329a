package io.guestguard.host.hypervisor;

import org.libvirt.Connect;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.libvirt.event.LifecycleListener;
import org.libvirt.event.StartedDetail;
import org.libvirt.event.StoppedDetail;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The {@link Hypervisor} port over libvirt (libvirt-java on JNA, so the host needs {@code libvirt0}).
 * One instance holds one {@link Connect}: {@code qemu:///system} on a real host, {@code test:///default}
 * in tests (libvirt's in-process fake, which cannot migrate).
 *
 * <p>Lifecycle events come from libvirt's own callbacks, not from polling: libvirt only delivers them
 * while something runs its event loop, so the first {@link #connect(String)} registers libvirt's default event
 * implementation (it must be registered before connections are opened) and starts one daemon thread,
 * shared by all connections of the JVM, that runs it. Callbacks run on that thread.
 *
 * <p>Every {@link LibvirtException} becomes a {@link HypervisorException} naming the connection, the
 * guest, the operation and libvirt's own message. Guests are libvirt domains named by guest id.
 */
public final class LibvirtHypervisor implements Hypervisor {

    private static final System.Logger LOG = System.getLogger(LibvirtHypervisor.class.getName());

    /** libvirt gives no blocking wait for a state change, so {@link #shutdown} polls this often. */
    private static final long SHUTDOWN_POLL_MILLIS = 50;

    /** virDomainMigrateFlags: keep it running while moving, define it on the target, undefine it here. */
    private static final long MIGRATE_LIVE = 1, MIGRATE_PERSIST_DEST = 8, MIGRATE_UNDEFINE_SOURCE = 16;

    private static Thread eventLoop;

    /**
     * Replaces libvirt's default error handler, which prints every error (even an expected "Domain not
     * found") to stderr; the errors still reach callers as exceptions. Held here so JNA keeps it alive.
     */
    private static final Libvirt.VirErrorCallback QUIET_ERRORS =
            (data, error) -> LOG.log(Level.DEBUG, () -> "libvirt error " + error.code + ": " + error.message);

    private final Connect connect;
    private final String uri;
    private final Set<LifecycleListener> listeners = ConcurrentHashMap.newKeySet();

    private LibvirtHypervisor(Connect connect, String uri) {
        this.connect = connect;
        this.uri = uri;
    }

    /**
     * Opens a read-write connection to libvirt at {@code uri}.
     *
     * @throws HypervisorException naming the URI and the likely fix when libvirt cannot be reached or loaded
     */
    public static LibvirtHypervisor connect(String uri) throws HypervisorException {
        try {
            initLibvirt();
            return new LibvirtHypervisor(new Connect(uri), uri);
        } catch (LibvirtException e) {
            throw new HypervisorException("cannot connect to libvirt at '" + uri + "': " + e.getMessage()
                    + " (check the URI, that libvirtd or virtqemud runs on this host, and that this user may use its socket)", e);
        } catch (LinkageError e) {
            throw new HypervisorException("cannot connect to libvirt at '" + uri + "': the libvirt C library is not loadable ("
                    + e.getMessage() + "); install libvirt0 (Debian/Ubuntu) or libvirt-libs (Fedora/RHEL)", e);
        }
    }

    private static synchronized void initLibvirt() throws LibvirtException {
        if (eventLoop != null) {
            return;
        }
        Connect.setErrorCallback(QUIET_ERRORS);
        Library.initEventLoop();
        Thread loop = new Thread(() -> {
            try {
                Library.runEventLoop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (LibvirtException | RuntimeException e) {
                LOG.log(Level.ERROR, "libvirt event loop died; no more guest lifecycle events will arrive", e);
            }
        }, "libvirt-event-loop");
        loop.setDaemon(true);
        loop.start();
        eventLoop = loop;
    }

    @Override
    public List<Domain> list() throws HypervisorException {
        try {
            List<Domain> domains = new ArrayList<>();
            for (org.libvirt.Domain d : connect.listAllDomains(0)) {
                try {
                    domains.add(new Domain(d.getName(), state(d)));
                } catch (LibvirtException e) {
                    if (e.getError().getCode() != ErrorNumber.VIR_ERR_NO_DOMAIN) { // else undefined meanwhile
                        throw e;
                    }
                } finally {
                    free(d);
                }
            }
            return domains;
        } catch (LibvirtException e) {
            throw failure(null, "list guests", e);
        }
    }

    @Override
    public Optional<Domain> find(String guest) throws HypervisorException {
        try {
            org.libvirt.Domain d = lookup(guest);
            if (d == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Domain(guest, state(d)));
            } finally {
                free(d);
            }
        } catch (LibvirtException e) {
            throw failure(guest, "find", e);
        }
    }

    /**
     * Starts a defined guest, or first defines it from {@link GuestDefinition#domainXml()} (which also
     * replaces an existing definition) or, when that is null and the guest is unknown, from a minimal
     * domain XML of its name, memory and vCPUs.
     */
    @Override
    public void start(GuestDefinition guest) throws HypervisorException {
        String name = guest.guest();
        try {
            org.libvirt.Domain d = lookup(name);
            try {
                if (d != null && d.isActive() == 1) {
                    throw new HypervisorException("cannot start guest '" + name + "' on " + uri + ": it is already running ("
                            + state(d) + ")");
                }
                if (d == null || guest.domainXml() != null) {
                    free(d);
                    String xml = guest.domainXml() != null ? guest.domainXml() : minimalXml(guest);
                    d = connect.domainDefineXML(xml);
                    if (!name.equals(d.getName())) {
                        throw new HypervisorException("cannot start guest '" + name + "' on " + uri
                                + ": its domain XML defines a domain named '" + d.getName() + "'");
                    }
                }
                d.create();
            } finally {
                free(d);
            }
        } catch (LibvirtException e) {
            throw failure(name, "start", e);
        }
    }

    /** libvirt's test driver wants domain type 'test'; any other driver gets a KVM guest. */
    private String minimalXml(GuestDefinition guest) throws LibvirtException {
        String type = "test".equalsIgnoreCase(connect.getType()) ? "test" : "kvm";
        return "<domain type='" + type + "'>"
                + "<name>" + escape(guest.guest()) + "</name>"
                + "<memory unit='MiB'>" + guest.memoryMiB() + "</memory>"
                + "<vcpu>" + guest.vcpus() + "</vcpu>"
                + "<os><type>hvm</type></os>"
                + "</domain>";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;").replace("\"", "&quot;");
    }

    /**
     * Asks for an ACPI shutdown, polls its state every 50 ms until the guest
     * is off or {@code grace} ends, then destroys it. If libvirt refuses the request, destroys at once.
     */
    @Override
    public void shutdown(String guest, Duration grace) throws HypervisorException {
        try {
            org.libvirt.Domain d = require(guest, "shut down");
            try {
                if (d.isActive() != 1) {
                    return;
                }
                long deadline = System.nanoTime() + grace.toNanos();
                try {
                    d.shutdown();
                    while (d.isActive() == 1 && System.nanoTime() < deadline) {
                        Thread.sleep(SHUTDOWN_POLL_MILLIS);
                    }
                } catch (LibvirtException e) {
                    LOG.log(Level.WARNING, "libvirt refused to shut down guest ''{0}'' ({1}); destroying it", guest, e.getMessage());
                }
                destroyIfActive(d);
            } finally {
                free(d);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted while shutting down guest '" + guest + "' on " + uri, e);
        } catch (LibvirtException e) {
            throw failure(guest, "shut down", e);
        }
    }

    @Override
    public void destroy(String guest) throws HypervisorException {
        try {
            org.libvirt.Domain d = require(guest, "destroy");
            try {
                destroyIfActive(d);
            } finally {
                free(d);
            }
        } catch (LibvirtException e) {
            throw failure(guest, "destroy", e);
        }
    }

    private static void destroyIfActive(org.libvirt.Domain d) throws LibvirtException {
        try {
            if (d.isActive() == 1) {
                d.destroy();
            }
        } catch (LibvirtException e) {
            if (e.getError().getCode() != ErrorNumber.VIR_ERR_OPERATION_INVALID || d.isActive() == 1) {
                throw e; // else it went off between the check and destroy()
            }
        }
    }

    @Override
    public void suspend(String guest) throws HypervisorException {
        act(guest, "suspend", org.libvirt.Domain::suspend);
    }

    @Override
    public void resume(String guest) throws HypervisorException {
        act(guest, "resume", org.libvirt.Domain::resume);
    }

    /** One libvirt call on a known guest, its errors named by guest and operation. */
    private void act(String guest, String operation, DomainAction action) throws HypervisorException {
        try {
            org.libvirt.Domain d = require(guest, operation);
            try {
                action.apply(d);
            } finally {
                free(d);
            }
        } catch (LibvirtException e) {
            throw failure(guest, operation, e);
        }
    }

    private interface DomainAction {
        void apply(org.libvirt.Domain domain) throws LibvirtException;
    }

    /**
     * Live-migrates over libvirt's client-managed protocol to {@code target}'s connection, defining the
     * guest there and undefining it here. Only a {@link LibvirtHypervisor} can be a target.
     */
    @Override
    public void migrate(String guest, Hypervisor target) throws HypervisorException {
        if (!(target instanceof LibvirtHypervisor to)) {
            throw new HypervisorException("cannot migrate guest '" + guest + "' from " + uri + ": the target is not a libvirt host but "
                    + (target == null ? "null" : target.getClass().getSimpleName()));
        }
        try {
            org.libvirt.Domain d = require(guest, "migrate");
            try {
                free(d.migrate(to.connect, MIGRATE_LIVE | MIGRATE_PERSIST_DEST | MIGRATE_UNDEFINE_SOURCE, null, null, 0));
            } finally {
                free(d);
            }
        } catch (LibvirtException e) {
            if (e.getError().getCode() == ErrorNumber.VIR_ERR_NO_SUPPORT) {
                throw new HypervisorException("cannot migrate guest '" + guest + "' from " + uri + " to " + to.uri
                        + ": this libvirt driver cannot migrate (libvirt: " + e.getMessage() + ")", e);
            }
            throw failure(guest, "migrate to " + to.uri, e);
        }
    }

    /**
     * Registers a libvirt lifecycle callback. The listener runs on the libvirt event-loop thread, so it
     * should be quick; whatever it throws is logged and dropped so the loop survives.
     */
    @Override
    public AutoCloseable onEvent(Consumer<DomainEvent> listener) throws HypervisorException {
        LifecycleListener callback = (domain, event) -> {
            try {
                listener.accept(toEvent(domain.getName(), event));
            } catch (LibvirtException | RuntimeException e) {
                LOG.log(Level.WARNING, "dropped libvirt lifecycle event " + event + " from " + uri, e);
            } finally {
                free(domain); // libvirt-java took a reference for us; unfreed, it keeps the connection alive
            }
            return 0;
        };
        try {
            connect.addLifecycleListener(callback);
        } catch (LibvirtException e) {
            throw failure(null, "subscribe to lifecycle events", e);
        }
        listeners.add(callback);
        return () -> unregister(callback);
    }

    private void unregister(LifecycleListener callback) throws HypervisorException {
        if (!listeners.remove(callback)) {
            return;
        }
        try {
            connect.removeLifecycleListener(callback);
        } catch (LibvirtException e) {
            throw failure(null, "unsubscribe from lifecycle events", e);
        }
    }

    /** Maps libvirt's event type and detail to ours; migration shows as STOPPED/MIGRATED and STARTED/MIGRATED. */
    static DomainEvent toEvent(String guest, org.libvirt.event.DomainEvent event) {
        Object detail = event.getDetail();
        DomainEvent.Kind kind = switch (event.getType()) {
            case STARTED -> detail == StartedDetail.MIGRATED ? DomainEvent.Kind.MIGRATED_IN : DomainEvent.Kind.STARTED;
            case STOPPED -> detail == StoppedDetail.MIGRATED ? DomainEvent.Kind.MIGRATED_AWAY
                    : detail == StoppedDetail.CRASHED || detail == StoppedDetail.FAILED ? DomainEvent.Kind.CRASHED
                    : DomainEvent.Kind.STOPPED;
            case SUSPENDED, PMSUSPENDED -> DomainEvent.Kind.SUSPENDED;
            case RESUMED -> DomainEvent.Kind.RESUMED;
            case CRASHED -> DomainEvent.Kind.CRASHED;
            default -> DomainEvent.Kind.OTHER; // DEFINED, UNDEFINED, SHUTDOWN (under way; STOPPED follows), UNKNOWN
        };
        return new DomainEvent(guest, kind, event.toString());
    }

    /** Unsubscribes every listener and closes the connection; the guests keep running. */
    @Override
    public void close() {
        for (LifecycleListener callback : List.copyOf(listeners)) {
            try {
                unregister(callback);
            } catch (HypervisorException e) {
                LOG.log(Level.WARNING, e.getMessage(), e);
            }
        }
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.log(Level.WARNING, "closing libvirt connection " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "LibvirtHypervisor[" + uri + "]";
    }

    private static State state(org.libvirt.Domain d) throws LibvirtException {
        DomainState state = d.getInfo().state;
        return switch (state) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> State.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> State.PAUSED;
            case VIR_DOMAIN_SHUTOFF -> State.SHUT_OFF;
            case VIR_DOMAIN_CRASHED -> State.CRASHED;
            default -> State.OTHER; // NOSTATE, SHUTDOWN (being shut down)
        };
    }

    /** The domain named {@code guest}, or null if libvirt does not know it. */
    private org.libvirt.Domain lookup(String guest) throws LibvirtException {
        try {
            return connect.domainLookupByName(guest);
        } catch (LibvirtException e) {
            if (e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
    }

    private org.libvirt.Domain require(String guest, String operation) throws LibvirtException, HypervisorException {
        org.libvirt.Domain d = lookup(guest);
        if (d == null) {
            throw new HypervisorException("cannot " + operation + " guest '" + guest + "' on " + uri + ": no such guest");
        }
        return d;
    }

    private static void free(org.libvirt.Domain d) {
        if (d == null) {
            return;
        }
        try {
            d.free();
        } catch (LibvirtException e) {
            LOG.log(Level.DEBUG, "freeing a libvirt domain handle", e);
        }
    }

    private HypervisorException failure(String guest, String operation, LibvirtException e) {
        String what = guest == null ? operation : operation + " guest '" + guest + "'";
        return new HypervisorException("cannot " + what + " on " + uri + ": libvirt: " + e.getMessage(), e);
    }
}
