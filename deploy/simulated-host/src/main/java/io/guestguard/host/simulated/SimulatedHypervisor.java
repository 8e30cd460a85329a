package io.guestguard.host.simulated;

import io.guestguard.host.hypervisor.Hypervisor;
import io.guestguard.host.hypervisor.HypervisorException;

import io.guestguard.process.ProcessGroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A simulated host for the local fleet and tests. A guest is a process group (its guest reporter and
 * the applications it starts) that one simulated host owns. Ownership is a file in a registry folder
 * shared by every simulated host of a fleet, {@code REGISTRY/HOST/GUEST} holding the group's id and
 * its leader's start time, so hosts in different JVMs agree on who runs what:
 * <ul>
 *   <li>start: the guest's command runs under {@code setsid}, leading a new group, and its file is
 *       written under this host. A host refuses to start a guest it runs already, but, like a real
 *       hypervisor without a lock manager, not one that another host runs: preventing that is the
 *       host supervisors' job;</li>
 *   <li>a guest's processes are its leader's group and every group its descendants lead (the reporter
 *       starts each application in a session of its own); all of them are signalled together;</li>
 *   <li>shutdown: SIGTERM to the leader's group (the reporter stops its applications), SIGKILL after
 *       the grace, then SIGKILL to whatever is left; destroy: SIGKILL; suspend and resume: SIGSTOP and
 *       SIGCONT;</li>
 *   <li>live migration: SIGSTOP, the configured downtime (the guest's real blackout), the file moved to
 *       the target host by an atomic rename, SIGCONT. The processes stay the same, as a migrated guest's
 *       memory does; only their owner changes. A target whose folder holds {@value #REFUSE_MIGRATIONS}
 *       refuses it after the downtime, and the guest resumes on its source;</li>
 *   <li>network (optional, {@link GuestGateway}): the owner of a guest relays its connections to
 *       Kafka; a migration's source cuts them while the guest is paused, and the target takes the
 *       guest's network over when it sees the guest is its own;</li>
 *   <li>events: each host polls its registry folder and the groups in it (every 50 ms) and reports
 *       what changed, so a host learns of a guest migrated to it, or of its guest's death, whoever
 *       started it. A guest that ends without being stopped by this host is {@code CRASHED}.</li>
 * </ul>
 * A guest that ended is forgotten (its file removed), like a transient libvirt domain.
 */
public final class SimulatedHypervisor implements Hypervisor {

    private static final Duration POLL = Duration.ofMillis(50);
    /** The registry's folder of guest network addresses; not a host (names starting with a dot are not). */
    private static final String NETWORK = ".network";
    /**
     * Fault injection: while this file exists in a host's registry folder, migrations to that host
     * fail after the guest's downtime (the guest resumes on its source), as a target that runs out of
     * memory at the last moment.
     */
    public static final String REFUSE_MIGRATIONS = ".refuse-migrations";

    private final String host;
    private final Path registry;
    private final Path hostDir;
    private final Path logDir;
    private final Duration migrationDowntime;
    /** This host's guest network, or {@code null} when guests reach Kafka directly. */
    private final GuestGateway gateway;
    /** Guests this host was asked to stop: their end is a stop, not a crash. */
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();
    /** Guests this host started and has not reported yet: any other newcomer migrated in. */
    private final Set<String> startedHere = ConcurrentHashMap.newKeySet();
    private final List<Consumer<DomainEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;
    private Map<String, State> seen;

    /**
     * @param registry the folder every simulated host of the fleet shares
     * @param logDir where each guest's output goes ({@code GUEST.log})
     * @param migrationDowntime how long a live migration keeps the guest paused
     */
    public SimulatedHypervisor(String host, Path registry, Path logDir, Duration migrationDowntime) {
        this(host, registry, logDir, migrationDowntime, null);
    }

    /**
     * @param gateway this host's guest network (its folder of guest addresses is {@code REGISTRY/.network}),
     *                or {@code null} when guests reach Kafka directly
     */
    public SimulatedHypervisor(String host, Path registry, Path logDir, Duration migrationDowntime,
                               GuestGateway.Settings gateway) {
        this.host = host;
        this.registry = registry;
        this.hostDir = registry.resolve(host);
        this.logDir = logDir;
        this.migrationDowntime = migrationDowntime;
        this.gateway = gateway == null ? null : new GuestGateway(host, gateway, registry.resolve(NETWORK));
        try {
            Files.createDirectories(hostDir);
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the simulated host's folders under " + registry, e);
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "simulated-hypervisor-" + host);
            thread.setDaemon(true);
            return thread;
        });
        seen = states();
        poller.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String host() {
        return host;
    }

    @Override
    public List<Domain> list() {
        List<Domain> domains = new ArrayList<>();
        states().forEach((guest, state) -> domains.add(new Domain(guest, state)));
        return domains;
    }

    @Override
    public Optional<Domain> find(String guest) {
        return Optional.ofNullable(states().get(guest)).map(state -> new Domain(guest, state));
    }

    @Override
    public synchronized void start(GuestDefinition guest) throws HypervisorException {
        if (guest.command().isEmpty()) {
            throw new HypervisorException("cannot start " + guest.guest() + " on simulated host " + host
                    + ": its definition has no command; give the command that is the guest (its reporter)");
        }
        // Like a real hypervisor, a host knows only its own guests: keeping one runner per guest
        // across hosts is the supervisors' job, and the safety tests check they do it.
        if (groupIfOwned(guest.guest()).isPresent()) {
            throw new HypervisorException("cannot start " + guest.guest() + " on " + host + ": it already runs on " + host);
        }
        if (gateway != null) {
            gateway.prepare(guest.guest()); // the guest's hosts file, before its JVM reads it
            gateway.serve(guest.guest());
        }
        List<String> argv = new ArrayList<>(List.of("setsid"));
        argv.addAll(guest.command());
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(guest.guest() + ".log").toFile()))
                    .start();
            long pgid = process.pid();
            startedHere.add(guest.guest());
            write(hostDir.resolve(guest.guest()), pgid + " " + ProcessGroups.startTicks(pgid));
        } catch (IOException e) {
            throw new HypervisorException("cannot start " + guest.guest() + " on " + host + ": " + e.getMessage(), e);
        }
        poll();
    }

    @Override
    public void shutdown(String guest, Duration grace) throws HypervisorException {
        long pgid = group(guest);
        List<Long> groups = groups(pgid); // before the leader ends and its applications are orphaned
        stopping.add(guest);
        try {
            ProcessGroups.terminate(pgid, grace); // the reporter stops its applications on SIGTERM
            for (long g : groups) {
                ProcessGroups.kill(g); // what it left behind
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted while shutting " + guest + " down on " + host);
        }
        poll();
    }

    @Override
    public void destroy(String guest) throws HypervisorException {
        Optional<Long> pgid = groupIfOwned(guest);
        if (pgid.isEmpty()) {
            return; // already off
        }
        stopping.add(guest);
        try {
            ProcessGroups.signal(pgid.get(), "STOP"); // no new application starts while the tree is read
            for (long g : groups(pgid.get())) {
                ProcessGroups.kill(g);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted while destroying " + guest + " on " + host);
        }
        poll();
    }

    @Override
    public void suspend(String guest) throws HypervisorException {
        signalAll(group(guest), "STOP");
        poll();
    }

    @Override
    public void resume(String guest) throws HypervisorException {
        signalAll(group(guest), "CONT");
        poll();
    }

    @Override
    public void migrate(String guest, Hypervisor target) throws HypervisorException {
        if (!(target instanceof SimulatedHypervisor to) || !to.registry.equals(registry)) {
            throw new HypervisorException("cannot migrate " + guest + " from simulated host " + host
                    + ": the target must be a simulated host of the same fleet (registry " + registry + ")");
        }
        long pgid = group(guest);
        List<Long> groups = signalAll(pgid, "STOP");
        try {
            Thread.sleep(migrationDowntime.toMillis()); // the guest's blackout: what a live migration costs it
            if (Files.exists(to.hostDir.resolve(REFUSE_MIGRATIONS))) {
                throw new IOException("target " + to.host + " refused the guest (" + to.hostDir.resolve(REFUSE_MIGRATIONS)
                        + " exists)");
            }
            if (gateway != null) {
                gateway.cut(guest); // its flows die with this host's network state; the target takes its address
            }
            Files.move(hostDir.resolve(guest), to.hostDir.resolve(guest), StandardCopyOption.ATOMIC_MOVE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            keep(guest, groups);
            throw new HypervisorException("migration of " + guest + " to " + to.host + " interrupted; it stays on " + host);
        } catch (IOException e) {
            keep(guest, groups);
            throw new HypervisorException("migration of " + guest + " to " + to.host + " failed (" + e.getMessage()
                    + "); it stays on " + host, e);
        }
        groups.forEach(g -> ProcessGroups.signal(g, "CONT"));
        poll();
        to.poll();
    }

    /** A migration that did not happen: the guest runs on here, with its network. */
    private void keep(String guest, List<Long> groups) {
        if (gateway != null) {
            gateway.serve(guest);
        }
        groups.forEach(g -> ProcessGroups.signal(g, "CONT"));
    }

    @Override
    public AutoCloseable onEvent(Consumer<DomainEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Releases this host; its guests keep running. Their network was this host's: it is cut, and
     * comes back when this host (its supervisor) is back.
     */
    @Override
    public void close() {
        poller.shutdownNow();
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Compares what this host owns now with what it owned at the last look, and reports the change. */
    private synchronized void poll() {
        Map<String, State> now = states();
        for (var entry : now.entrySet()) {
            State before = seen.get(entry.getKey());
            if (before == null) {
                emit(entry.getKey(), startedHere.remove(entry.getKey()) ? DomainEvent.Kind.STARTED : DomainEvent.Kind.MIGRATED_IN);
            } else if (before != entry.getValue()) {
                emit(entry.getKey(), entry.getValue() == State.PAUSED ? DomainEvent.Kind.SUSPENDED : DomainEvent.Kind.RESUMED);
            }
        }
        for (String gone : seen.keySet()) {
            if (!now.containsKey(gone)) {
                if (owner(gone).isPresent()) {
                    emit(gone, DomainEvent.Kind.MIGRATED_AWAY);
                } else {
                    emit(gone, stopping.remove(gone) ? DomainEvent.Kind.STOPPED : DomainEvent.Kind.CRASHED);
                }
            }
        }
        seen = now;
        if (gateway != null) {
            now.keySet().forEach(gateway::serve); // a guest migrated in: its address is ours once the source let go
            gateway.served().stream().filter(g -> !now.containsKey(g)).forEach(gateway::cut);
        }
    }

    private void emit(String guest, DomainEvent.Kind kind) {
        DomainEvent event = new DomainEvent(guest, kind, "simulated host " + host);
        listeners.forEach(listener -> listener.accept(event));
    }

    /** The guests this host owns, by their group's state; a guest whose group ended is forgotten here. */
    private Map<String, State> states() {
        Map<String, State> states = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(hostDir, p -> !p.getFileName().toString().endsWith(".tmp")
                && !p.getFileName().toString().startsWith("."))) {
            for (Path file : files) {
                String guest = file.getFileName().toString();
                String[] fields;
                try {
                    fields = Files.readString(file).trim().split(" ");
                } catch (IOException e) {
                    continue; // moved away meanwhile
                }
                long pgid = Long.parseLong(fields[0]);
                if (ProcessGroups.startTicks(pgid) != Long.parseLong(fields[1])) {
                    Files.deleteIfExists(file); // the guest ended; its pid may have been reused
                    continue;
                }
                states.put(guest, ProcessGroups.stopped(pgid) ? State.PAUSED : State.RUNNING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read simulated host " + host + "'s registry " + hostDir, e);
        }
        return states;
    }

    /**
     * Signals every group of the guest, its leader's first (so a paused reporter starts nothing
     * meanwhile); returns the groups signalled.
     */
    private static List<Long> signalAll(long pgid, String signal) {
        ProcessGroups.signal(pgid, signal);
        List<Long> groups = groups(pgid);
        groups.stream().filter(g -> g != pgid).forEach(g -> ProcessGroups.signal(g, signal));
        return groups;
    }

    /**
     * The guest's process groups: its leader's and every group a descendant of its members leads,
     * since the reporter starts each application in a session of its own.
     */
    private static List<Long> groups(long pgid) {
        java.util.Set<Long> groups = new java.util.LinkedHashSet<>(List.of(pgid));
        for (long member : ProcessGroups.members(pgid)) {
            ProcessHandle.of(member).ifPresent(leader -> leader.descendants().forEach(d -> {
                long g = ProcessGroups.groupOf(d.pid());
                if (g > 0) {
                    groups.add(g);
                }
            }));
        }
        return List.copyOf(groups);
    }

    private long group(String guest) throws HypervisorException {
        return groupIfOwned(guest).orElseThrow(() -> new HypervisorException("guest " + guest
                + " does not run on simulated host " + host));
    }

    private Optional<Long> groupIfOwned(String guest) {
        try {
            return Optional.of(Long.parseLong(Files.readString(hostDir.resolve(guest)).trim().split(" ")[0]));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The simulated host that owns {@code guest}, if any. */
    private Optional<String> owner(String guest) {
        try (var hosts = Files.list(registry)) {
            return hosts.filter(dir -> !dir.getFileName().toString().startsWith(".") && Files.exists(dir.resolve(guest)))
                    .map(dir -> dir.getFileName().toString()).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the simulated fleet's registry " + registry, e);
        }
    }

    /** Replaces {@code file}'s content at once: readers in other JVMs see the old or the new, never half. */
    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
