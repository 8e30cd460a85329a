package io.guestguard.protocol.trust;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventType;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.RejectedRecordException;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static io.guestguard.protocol.EventType.*;

/**
 * Who may emit what, about whom: the authorization table of docs/security.md, in code.
 * <ul>
 *   <li>a guest: its own {@code app.*} and {@code reporter.*} facts and its beats, naming itself
 *       ({@code guestid}) and no host or epoch;</li>
 *   <li>a host: the facts of guests' placements it carries out (started, halted, start or halt
 *       failed, migrations, refused commands, fences it ran), its beats and its leaving, always
 *       naming itself ({@code hostid}; a beat's or a leaving's data too);</li>
 *   <li>the policy engine: commands but rebinds, decisions, placements, its own deadlines;</li>
 *   <li>the host-loss detector: {@code host.lost}, {@code host.available} and its ticks;</li>
 *   <li>the migration watcher: {@code rebind} and {@code contact-lost};</li>
 *   <li>operators: {@code operator.request} and {@code package.applied};</li>
 *   <li>the operator root: the keys topic's registrations and revocations, nothing else.</li>
 * </ul>
 * Which guests a host may report about ({@link #checkHostOfGuest}) depends on each guest's package
 * and placement, which only the policy engine holds: it checks that once it has the guest's state.
 */
public final class Authorization {

    private static final Map<EventType, Set<Role>> EMITTERS = new EnumMap<>(EventType.class);

    static {
        allow(Role.GUEST, APP_STARTED, APP_FAILED, APP_STOPPED, REPORTER_STARTED, REBOUND, HEARTBEAT);
        allow(Role.HOST, GUEST_STARTED, GUEST_HALTED, GUEST_START_FAILED, GUEST_HALT_FAILED, MIGRATION_STARTED,
                MIGRATION_COMPLETED, MIGRATION_FAILED, COMMAND_REFUSED, HOST_FENCED, HEARTBEAT, HOST_LEAVING);
        allow(Role.ENGINE, RESTART_APP, STOP_APP, START_APP, START_GUEST, HALT_GUEST, MIGRATE_GUEST, FENCE_HOST,
                DECISION, PLACEMENT, DEADLINE_REACHED);
        allow(Role.DETECTOR, HOST_LOST, HOST_AVAILABLE, DETECTOR_TICK);
        allow(Role.WATCHER, REBIND, CONTACT_LOST);
        allow(Role.OPERATOR, OPERATOR_REQUEST, PACKAGE_APPLIED);
        allow(Role.ROOT, KEY_REGISTERED, KEY_REVOKED);
    }

    private Authorization() {
    }

    private static void allow(Role role, EventType... types) {
        Arrays.stream(types).forEach(type -> EMITTERS.computeIfAbsent(type, t -> EnumSet.noneOf(Role.class)).add(role));
    }

    /** The roles that may emit {@code type}: one row of the table. */
    public static Set<Role> emitters(EventType type) {
        return Collections.unmodifiableSet(EMITTERS.getOrDefault(type, EnumSet.noneOf(Role.class)));
    }

    /**
     * @throws RejectedRecordException {@code not authorized: ...} when {@code who} may not emit {@code event}
     */
    public static void check(Principal who, CloudEvent<?> event) {
        EventType type = EventType.of(event.data());
        if (!emitters(type).contains(who.role())) {
            throw refused(who, "emit " + shortName(type));
        }
        switch (who.role()) {
            case GUEST -> {
                String subject = event.data() instanceof Heartbeat beat ? beatOf(who, beat, "guest") : event.guestId();
                if (!who.name().equals(subject)) {
                    throw refused(who, "speak for guest " + subject);
                }
                if (event.hostId() != null || event.epoch() != null) {
                    throw refused(who, "name a host or a placement epoch");
                }
            }
            case HOST -> {
                String subject = event.data() instanceof Heartbeat beat ? beatOf(who, beat, "host")
                        : event.data() instanceof HostLeaving leaving ? leaving.host() : event.hostId();
                if (!who.name().equals(subject)) {
                    throw refused(who, subject == null ? "emit a fact without naming itself (hostid)" : "speak for host " + subject);
                }
            }
            case OPERATOR -> {
                // An operator speaks about any guest or host, but only in its own name: the decision's
                // text says who asked, and that must be who signed.
                if (event.data() instanceof OperatorRequest request && !who.name().equals(request.operator())) {
                    throw refused(who, "ask in the name of operator " + request.operator());
                }
            }
            default -> {
                // the services speak about any guest or host
            }
        }
    }

    /** Whether {@code type} is a host's report about a guest: a type only hosts emit, keyed by the guest. */
    public static boolean hostReport(EventType type) {
        return type != EventType.HEARTBEAT && type != EventType.HOST_LEAVING && emitters(type).equals(EnumSet.of(Role.HOST));
    }

    /**
     * A host's report about a guest ({@link #hostReport}) may come only from a host that may hold the
     * guest: one its package names, the one it is placed on or the one it is going to (a fence is always
     * run by one of those). {@code hostsOfGuest} empty: a guest with neither package nor placement, which
     * any host may report found running. Other events pass.
     *
     * @throws RejectedRecordException {@code not authorized: host h may not speak for guest g (its hosts: a, b)}
     */
    public static void checkHostOfGuest(CloudEvent<?> event, Set<String> hostsOfGuest) {
        String host = event.hostId();
        if (hostReport(EventType.of(event.data())) && !hostsOfGuest.isEmpty() && !hostsOfGuest.contains(host)) {
            throw refused(Principal.host(host), "speak for guest " + event.guestId() + " (its hosts: "
                    + String.join(", ", new TreeSet<>(hostsOfGuest)) + ")"); // sorted: the same reason in every run
        }
    }

    private static String beatOf(Principal who, Heartbeat beat, String role) {
        if (!Objects.equals(beat.role(), role)) {
            throw refused(who, "beat as a " + beat.role());
        }
        return beat.id();
    }

    private static RejectedRecordException refused(Principal who, String what) {
        return new RejectedRecordException("not authorized: " + who + " may not " + what);
    }

    /** {@code host.lost} for {@code io.guestguard.host.lost.v1}: how the table and the reasons name types. */
    public static String shortName(EventType type) {
        return type.type().replaceFirst("^io\\.guestguard\\.", "").replaceFirst("\\.v\\d+$", "");
    }
}
