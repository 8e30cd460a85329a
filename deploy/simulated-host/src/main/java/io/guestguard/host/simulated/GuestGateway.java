package io.guestguard.host.simulated;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A simulated host's guest network: the path from its guests to Kafka, as a hypervisor's NAT or
 * bridge is on a real host. Each guest has an address of its own on the loopback network
 * ({@code 127.77.x.y}, kept in the fleet's registry so it is the same on every host, as a migrated
 * guest keeps its IP), and reaches Kafka at {@code NAME:PORT}, which its own hosts file (written here,
 * given to the guest's JVM with {@code -Djdk.net.hosts.file}) maps to that address. The host that
 * owns the guest listens there and relays each connection to the broker's guest listener, which
 * advertises {@code NAME:PORT}, so every later connection of the guest's Kafka clients takes the same
 * path. A cluster of brokers has one route per broker: broker {@code i} advertises {@code NAME:PORT_i},
 * and the gateway relays {@code PORT_i} to broker {@code i}'s guest listener.
 *
 * <p>Only the owner listens: when a host gives a guest up (a live migration), it closes the guest's
 * listener and resets every connection through it, as the guest's flows die with the source host's
 * network state; the guest's clients see broken connections and must connect again, which reaches
 * the target host once it took the guest over.
 */
public final class GuestGateway implements AutoCloseable {

    /**
     * @param name the name guests reach Kafka by, advertised by the brokers' guest listeners
     * @param routes one per broker: the port guests reach it at, and its guest listener
     */
    public record Settings(String name, List<Route> routes) {
        public Settings {
            routes = List.copyOf(routes);
            if (routes.isEmpty()) {
                throw new IllegalArgumentException("a guest network needs a route to at least one broker");
            }
        }

        /** One broker's route. */
        public Settings(String name, int port, InetSocketAddress upstream) {
            this(name, List.of(new Route(port, upstream)));
        }

        /** The first broker's port. */
        public int port() {
            return routes.get(0).port();
        }

        /** The first broker's guest listener. */
        public InetSocketAddress upstream() {
            return routes.get(0).upstream();
        }
    }

    /**
     * @param port the port guests reach one broker at
     * @param upstream that broker's guest listener, which this host relays to
     */
    public record Route(int port, InetSocketAddress upstream) {
    }

    private static final Logger LOG = Logger.getLogger(GuestGateway.class);
    private static final String ADDRESS_PREFIX = "127.77.";

    private final String host;
    private final Settings settings;
    private final Path network;
    private final Map<String, Served> served = new ConcurrentHashMap<>();

    /** @param network the fleet's shared folder of guest addresses and hosts files */
    public GuestGateway(String host, Settings settings, Path network) {
        this.host = host;
        this.settings = settings;
        this.network = network;
        try {
            Files.createDirectories(network);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the simulated guest network folder " + network, e);
        }
    }

    /**
     * The guest's address, given once for the whole fleet, and its hosts file (which maps the
     * gateway name to it); returns the hosts file.
     */
    public Path prepare(String guest) {
        InetAddress address = addressOf(guest);
        Path hosts = network.resolve(guest + ".hosts");
        writeAtomically(hosts, address.getHostAddress() + " " + settings.name() + "\n");
        return hosts;
    }

    /** Starts relaying the guest's connections, if not already; false when its address is still taken. */
    public boolean serve(String guest) {
        if (served.containsKey(guest)) {
            return true;
        }
        InetAddress address = addressOf(guest);
        List<ServerSocket> listeners = new java.util.ArrayList<>();
        for (Route route : settings.routes()) {
            try {
                ServerSocket listener = new ServerSocket();
                listeners.add(listener);
                listener.setReuseAddress(true);
                listener.bind(new InetSocketAddress(address, route.port()));
            } catch (IOException e) {
                LOG.debugf("%s: cannot listen for %s at %s:%d yet: %s", host, guest, address.getHostAddress(), route.port(),
                        e.getMessage());
                listeners.forEach(GuestGateway::closeQuietly);
                return false;
            }
        }
        Served entry = new Served(listeners);
        served.put(guest, entry);
        for (int i = 0; i < listeners.size(); i++) {
            ServerSocket listener = listeners.get(i);
            Route route = settings.routes().get(i);
            InetSocketAddress upstream = new InetSocketAddress(route.upstream().getHostString(), route.upstream().getPort());
            Thread acceptor = new Thread(() -> accept(guest, entry, listener, upstream), "guest-gateway-" + host + "-" + guest);
            acceptor.setDaemon(true);
            acceptor.start();
            LOG.infof("%s: guest network of %s up (%s:%d -> %s:%d)", host, guest, address.getHostAddress(), route.port(),
                    upstream.getHostString(), upstream.getPort());
        }
        return true;
    }

    /** Stops relaying the guest: closes its listener and resets every connection it had. */
    public void cut(String guest) {
        Served entry = served.remove(guest);
        if (entry == null) {
            return;
        }
        entry.listeners.forEach(GuestGateway::closeQuietly);
        int connections = entry.sockets.size();
        for (Socket socket : entry.sockets) {
            try {
                socket.setSoLinger(true, 0); // a reset, not an orderly close: the flow is gone
            } catch (IOException ignored) {
                // closed already
            }
            closeQuietly(socket);
        }
        LOG.infof("%s: guest network of %s cut (%d connections reset)", host, guest, connections / 2);
    }

    /** The guests this host relays for. */
    public Set<String> served() {
        return Set.copyOf(served.keySet());
    }

    /** The sockets of the guest's relayed connections, both ends of each; none while it is not served. */
    List<Socket> relayed(String guest) {
        Served entry = served.get(guest);
        return entry == null ? List.of() : List.copyOf(entry.sockets);
    }

    @Override
    public void close() {
        served.keySet().forEach(this::cut);
    }

    private void accept(String guest, Served entry, ServerSocket listener, InetSocketAddress upstream) {
        while (!listener.isClosed()) {
            Socket fromGuest;
            try {
                fromGuest = listener.accept();
            } catch (IOException e) {
                return; // cut
            }
            Socket toBroker = new Socket();
            try {
                // A NAT forwards packets as they come; a relay with Nagle's algorithm on holds a small
                // write back until the last one is acknowledged, up to a delayed ACK (40 ms) per request.
                fromGuest.setTcpNoDelay(true);
                toBroker.setTcpNoDelay(true);
                toBroker.connect(upstream, 1_000);
            } catch (IOException e) {
                LOG.warnf("%s: cannot reach Kafka's guest listener %s:%d for %s: %s", host, upstream.getHostString(),
                        upstream.getPort(), guest, e.getMessage());
                closeQuietly(fromGuest);
                closeQuietly(toBroker);
                continue;
            }
            entry.sockets.add(fromGuest);
            entry.sockets.add(toBroker);
            if (listener.isClosed()) { // cut while connecting
                cutPair(entry, fromGuest, toBroker);
                return;
            }
            pump(guest, entry, fromGuest, toBroker);
            pump(guest, entry, toBroker, fromGuest);
        }
    }

    private void pump(String guest, Served entry, Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed or was reset: end the pair
            } finally {
                cutPair(entry, from, to);
            }
        }, "guest-gateway-" + host + "-" + guest + "-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void cutPair(Served entry, Socket a, Socket b) {
        closeQuietly(a);
        closeQuietly(b);
        entry.sockets.remove(a);
        entry.sockets.remove(b);
    }

    /** The guest's address on the loopback network, claimed once in the fleet's network folder. */
    private InetAddress addressOf(String guest) {
        Path file = network.resolve(guest + ".address");
        try {
            if (!Files.exists(file)) {
                claimAddress(guest, file);
            }
            return InetAddress.getByName(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or claim the address of guest " + guest + " in " + network, e);
        }
    }

    /** Claims the first free address: a file per taken address, created exclusively, names its guest. */
    private void claimAddress(String guest, Path file) throws IOException {
        for (int n = 1; n < 65_000; n++) {
            String address = ADDRESS_PREFIX + (n / 250) + "." + (n % 250 + 1);
            try {
                Files.writeString(network.resolve(address + ".taken"), guest, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                continue;
            }
            writeAtomically(file, address);
            return;
        }
        throw new IOException("no free guest address left under " + ADDRESS_PREFIX + "0.0/16");
    }

    private static void writeAtomically(Path file, String content) {
        try {
            SimulatedHypervisor.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    /** A guest's listeners (one per route) and the sockets of its relayed connections (both ends). */
    private record Served(List<ServerSocket> listeners, List<Socket> sockets) {
        Served(List<ServerSocket> listeners) {
            this(List.copyOf(listeners), new CopyOnWriteArrayList<>());
        }
    }
}
