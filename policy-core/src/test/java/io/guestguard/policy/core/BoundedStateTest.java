package io.guestguard.policy.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guest's state is bounded whatever the facts name (docs/architecture.md, "Bounded state"): 100,000
 * forged keys (distinct guest ids; distinct application and host names for one guest, with a package
 * and without) leave every state below a stated size, as the engine stores it (JSON), and the decider
 * holds nothing that grows.
 */
class BoundedStateTest {

    /** A guest's stored state after the floods below, at most, in bytes (measured: 3.5 KiB with a package, 4.3 KiB without). */
    static final int FLOODED_GUEST_BYTES = 6 * 1024;
    /** A forged guest's stored state after one fact, at most, in bytes (measured: 360 bytes). */
    static final int FORGED_GUEST_BYTES = 1024;
    static final int KEYS = 100_000;
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final ObjectMapper JSON = new EventCodec().mapper();

    private final Decider decider = new Decider(new RestartLimit(3));

    @Test
    void hundredThousandForgedGuestIdsEachKeepASmallState() throws Exception {
        int largest = 0;
        for (int i = 0; i < KEYS; i++) {
            String guest = "forged-" + i;
            CloudEvent<Fact> fact = new CloudEvent<>("f" + i, "/attacker", T0, guest, (long) i, "host-" + i, null,
                    AppFailed.killed("app-" + i, 1 + i % 4_000_000, "KILL"));
            largest = Math.max(largest, bytes(decider.decide(GuestState.EMPTY, fact, T0.plusMillis(i)).state()));
        }
        System.out.printf("largest state of %,d forged guests: %,d bytes%n", KEYS, largest);
        assertThat(largest).isLessThan(FORGED_GUEST_BYTES);
    }

    @Test
    void hundredThousandForgedApplicationAndHostNamesForAGuestWithAPackage() throws Exception {
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 3, 600_000L, PackageSpec.Backoff.NONE)));
        GuestState state = decide(GuestState.EMPTY, 0, CloudEvent.ofGuest("p", "/operator/alice", T0, "g1", new PackageApplied(spec)));
        state = decide(state, 1, new CloudEvent<>("s", "/host/h1", T0, "g1", null, "h1", 1L, new GuestStarted("h1")));

        GuestState flooded = flood(state, this::forgedAbout);

        assertThat(flooded.apps().keySet()).as("budgets only for the package's applications").isSubsetOf("app1");
        assertThat(flooded.lostHosts()).isSubsetOf("h1", "h2");
        assertThat(flooded.fencedHosts()).isSubsetOf("h1", "h2");
        assertThat(flooded.hostsInMaintenance()).isSubsetOf("h1", "h2");
        assertThat(flooded.detachedHosts()).isSubsetOf("h1", "h2");
        assertThat(flooded.recentFacts().facts()).hasSizeLessThanOrEqualTo(RecentFacts.MAX_FACTS);
        assertThat(flooded.guestSeqs().ranges()).hasSizeLessThanOrEqualTo(GuestSeqs.MAX_RANGES);
    }

    @Test
    void hundredThousandForgedApplicationAndHostNamesForAGuestWithoutAPackage() throws Exception {
        GuestState flooded = flood(GuestState.EMPTY, this::forgedAbout);

        assertThat(flooded.apps()).as("at most %d budgets without a package", GuestState.MAX_APPS_WITHOUT_PACKAGE)
                .hasSizeLessThanOrEqualTo(GuestState.MAX_APPS_WITHOUT_PACKAGE);
        assertThat(flooded.hostsInMaintenance().size() + flooded.detachedHosts().size())
                .isLessThanOrEqualTo(GuestState.MAX_HOSTS_WITHOUT_PACKAGE);
        assertThat(flooded.detachedHosts()).as("the flood detaches hosts too").isNotEmpty();
        assertThat(flooded.lostHosts().size() + flooded.fencedHosts().size() + flooded.failedTargets().size())
                .as("without a package, only the placement's host").isLessThanOrEqualTo(3);
    }

    @Test
    void theDeciderHoldsNothingThatGrows() {
        for (Field field : Decider.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                assertThat(Collection.class.isAssignableFrom(field.getType()) || Map.class.isAssignableFrom(field.getType())
                        || field.getType().isArray()).as("Decider.%s", field.getName()).isFalse();
                assertThat(Modifier.isFinal(field.getModifiers())).as("Decider.%s is final", field.getName()).isTrue();
            }
        }
    }

    /** Feeds {@value #KEYS} forged facts, checking the stored size every 1,000; returns the last state. */
    private GuestState flood(GuestState from, IntFunction<CloudEvent<Fact>> forged) throws Exception {
        GuestState state = from;
        int largest = 0;
        for (int i = 0; i < KEYS; i++) {
            state = decide(state, 2 + i, forged.apply(i));
            if (i % 1000 == 0 || i == KEYS - 1) {
                largest = Math.max(largest, bytes(state));
            }
        }
        System.out.printf("largest state of a guest flooded with %,d forged names: %,d bytes%n", KEYS, largest);
        assertThat(largest).as("the largest stored state during the flood").isLessThan(FLOODED_GUEST_BYTES);
        return state;
    }

    /** Fact {@code i} of a flood: a new application or host name, of one of eight kinds. */
    private CloudEvent<Fact> forgedAbout(int i) {
        String app = "app-" + i;
        String host = "host-" + i;
        Fact data = switch (i % 8) {
            case 0 -> AppFailed.killed(app, 1 + i % 4_000_000, "KILL");
            case 1 -> new AppStarted(app, 1L + i % 4_000_000);
            case 2 -> new HostLost(host);
            case 3 -> new HostFenced(host);
            case 4 -> new OperatorRequest(i % 16 == 4 ? OperatorRequest.Action.HOST_MAINTENANCE_ON
                    : OperatorRequest.Action.HOST_DETACH, host, "mallory");
            case 5 -> new CommandRefused(host, "start-" + i, CommandKind.START_GUEST, null, "forged"); // untyped, as old records
            case 6 -> new MigrationCompleted("h1", host);
            default -> AppFailed.unhealthy(app, null, "monitor", "forged");
        };
        return new CloudEvent<>("forged-" + i, "/attacker", T0, "g1", i % 3 == 0 ? null : (long) i * 7919, host, null, data);
    }

    private GuestState decide(GuestState state, int i, CloudEvent<? extends Fact> fact) {
        return decider.decide(state, fact, T0.plusMillis(100L * i)).state();
    }

    private static int bytes(GuestState state) throws Exception {
        return JSON.writeValueAsBytes(state).length;
    }
}
