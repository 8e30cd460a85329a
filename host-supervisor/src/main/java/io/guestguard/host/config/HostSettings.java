package io.guestguard.host.config;

import io.guestguard.host.hypervisor.HypervisorAdapter;
import io.guestguard.host.hypervisor.LibvirtAdapter;
import io.guestguard.host.hypervisor.SettingsReader;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * A host supervisor's settings, read from its configuration (properties, {@code -D} flags or
 * environment) and checked as a whole: every problem is reported at once, naming the property and
 * the fix, and the supervisor does not start with any. The hypervisor's own settings are its
 * adapter's ({@link LibvirtAdapter.Settings}, or a plugged-in adapter's), read and checked with these.
 *
 * @param hypervisor the adapter's name: {@code libvirt}, or one found on the class path or {@code hypervisor-path}
 * @param hypervisors the configured adapter: connects to this host's and to peers' hypervisors
 * @param fenceCommand the fence hook's command line, whitespace-separated; empty: none
 * @param commandRetry how a command whose execution throws is tried again
 * @param maxGuests the most guests whose placement the fleet watch keeps
 * @param maxHosts the most hosts whose latest beat the fleet watch keeps
 */
public record HostSettings(String host, String hypervisor, HypervisorAdapter.Connector hypervisors, Path stateDir,
                           List<String> fenceCommand, Duration fenceTimeout, Duration haltGrace, Duration peerTimeout,
                           Retry commandRetry, int maxGuests, int maxHosts) {

    /**
     * Tries again after {@code firstDelay}, doubling up to {@code maxDelay}, {@code attempts} tries in
     * all (the first included).
     */
    public record Retry(Duration firstDelay, Duration maxDelay, int attempts) {
    }

    public static final String PREFIX = SettingsReader.PREFIX;

    /** Reads and checks the settings; {@code lookup} gives a property's value, if set. */
    public static HostSettings read(Function<String, Optional<String>> lookup) {
        SettingsReader r = new SettingsReader(lookup);
        String host = r.required("id", "set it to this host's id, e.g. -Dguestguard.host.id=h1");
        Path stateDir = r.path("state-dir", null, "set it to a folder this host keeps its command journal in, "
                + "e.g. /var/lib/guestguard/host");
        String hypervisor = r.optional("hypervisor").orElse(LibvirtAdapter.NAME);
        Map<String, HypervisorAdapter> adapters = adapters(r);
        HypervisorAdapter adapter = adapters.get(hypervisor);
        if (adapter == null) {
            r.problem("hypervisor", "is '" + hypervisor + "'", "set it to " + String.join(" or ", adapters.keySet())
                    + ", or put its adapter's jar on " + PREFIX + "hypervisor-path");
        }
        HostSettings settings = new HostSettings(host, hypervisor,
                adapter == null ? null : adapter.configure(host, stateDir, r),
                stateDir,
                r.optional("fence-command").filter(c -> !c.isBlank()).map(c -> List.of(c.trim().split("\\s+"))).orElse(List.of()),
                r.duration("fence-timeout", "30s"), r.duration("halt-grace", "30s"), r.duration("peer-timeout", "1s"),
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

    /**
     * The hypervisor adapters by name: libvirt, then those {@link ServiceLoader} finds on the
     * supervisor's class path and on {@code hypervisor-path} (jars or class folders, separated as a
     * class path), which a class loader of their own loads, its parent the supervisor's.
     */
    private static Map<String, HypervisorAdapter> adapters(SettingsReader r) {
        ClassLoader loader = HostSettings.class.getClassLoader();
        Optional<String> path = r.optional("hypervisor-path");
        if (path.isPresent()) {
            List<URL> urls = new ArrayList<>();
            for (String entry : path.get().split(File.pathSeparator)) {
                Path file = Path.of(entry.trim());
                if (!Files.exists(file)) {
                    r.problem("hypervisor-path", "names " + file + ", which does not exist",
                            "give the adapter's jar and those it needs, separated by " + File.pathSeparator);
                    continue;
                }
                try {
                    urls.add(file.toUri().toURL());
                } catch (MalformedURLException e) {
                    r.problem("hypervisor-path", "names " + file + ", " + e.getMessage(), "give a jar or a folder");
                }
            }
            loader = new URLClassLoader("hypervisor-adapters", urls.toArray(URL[]::new), loader);
        }
        Map<String, HypervisorAdapter> adapters = new LinkedHashMap<>();
        adapters.put(LibvirtAdapter.NAME, new LibvirtAdapter());
        for (HypervisorAdapter adapter : ServiceLoader.load(HypervisorAdapter.class, loader)) {
            adapters.putIfAbsent(adapter.name(), adapter);
        }
        return adapters;
    }
}
