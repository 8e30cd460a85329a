package io.guestguard.host.hypervisor;

import io.guestguard.host.hypervisor.Hypervisor.Domain;
import io.guestguard.host.hypervisor.Hypervisor.DomainEvent;
import io.guestguard.host.hypervisor.Hypervisor.DomainEvent.Kind;
import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;
import io.guestguard.host.hypervisor.Hypervisor.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link LibvirtHypervisor} against the real libvirt library and its in-process test driver
 * ({@code test:///default}: one running domain, "test"). No mocks, so a broken mapping, a lost callback
 * or a swallowed libvirt error fails here. The test driver's state is per process, not per connection:
 * it is shared by all connections open at once and only reset when the last one closes. So each test
 * drives guests of its own, uniquely named, and leaves "test" running.
 */
class LibvirtHypervisorTest {

    private static final String URI = "test:///default";
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private LibvirtHypervisor hypervisor;

    @BeforeEach
    void connect() throws HypervisorException {
        hypervisor = LibvirtHypervisor.connect(URI);
    }

    @AfterEach
    void close() {
        hypervisor.close();
    }

    private static GuestDefinition guest(String name) {
        return new GuestDefinition(name, 256, 1, null, List.of());
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void listsThePredefinedTestDomainAsRunning() throws HypervisorException {
        assertThat(hypervisor.list()).contains(new Domain("test", State.RUNNING));
        assertThat(hypervisor.find("test")).contains(new Domain("test", State.RUNNING));
        assertThat(hypervisor.find("nobody")).isEmpty();
    }

    @Test
    void startsAGuestFromNameMemoryAndCpus() throws HypervisorException {
        String g1 = unique("g1");
        hypervisor.start(guest(g1));

        assertThat(hypervisor.find(g1)).contains(new Domain(g1, State.RUNNING));
        assertThat(hypervisor.list()).contains(new Domain(g1, State.RUNNING), new Domain("test", State.RUNNING));
    }

    @Test
    void startsAGuestFromAWholeDomainXml() throws HypervisorException {
        String name = unique("fromxml");
        String xml = "<domain type='test'><name>" + name + "</name><memory unit='MiB'>128</memory><vcpu>2</vcpu>"
                + "<os><type>hvm</type></os></domain>";

        hypervisor.start(new GuestDefinition(name, 0, 0, xml, List.of()));

        assertThat(hypervisor.find(name)).contains(new Domain(name, State.RUNNING));
    }

    @Test
    void startingARunningGuestFailsClearly() throws HypervisorException {
        String g1 = unique("g1");
        assertThatThrownBy(() -> hypervisor.start(guest("test")))
                .isInstanceOf(HypervisorException.class)
                .hasMessageContaining("'test'").hasMessageContaining("already running").hasMessageContaining(URI);

        hypervisor.start(guest(g1));
        assertThatThrownBy(() -> hypervisor.start(guest(g1))).hasMessageContaining("already running");
    }

    @Test
    void suspendPausesAndResumeRuns() throws HypervisorException {
        String g1 = unique("g1");
        hypervisor.start(guest(g1));

        hypervisor.suspend(g1);
        assertThat(hypervisor.find(g1)).contains(new Domain(g1, State.PAUSED));

        hypervisor.resume(g1);
        assertThat(hypervisor.find(g1)).contains(new Domain(g1, State.RUNNING));
    }

    @Test
    void shutdownAsksTheGuestAndLeavesItDefinedButOff() throws Exception {
        String g1 = unique("g1");
        List<DomainEvent> events = new CopyOnWriteArrayList<>();
        hypervisor.start(guest(g1));
        try (AutoCloseable ignored = hypervisor.onEvent(events::add)) {
            hypervisor.shutdown(g1, Duration.ofSeconds(5));

            assertThat(hypervisor.find(g1)).contains(new Domain(g1, State.SHUT_OFF));
            // the graceful request did it, not the destroy after the grace
            await().atMost(DEADLINE).untilAsserted(() -> assertThat(events)
                    .contains(new DomainEvent(g1, Kind.STOPPED, "STOPPED (SHUTDOWN)")));
            assertThat(events).noneMatch(e -> e.guest().equals(g1) && e.detail().contains("DESTROYED"));
        }
        hypervisor.shutdown(g1, Duration.ofSeconds(5)); // already off: fine
    }

    @Test
    void destroyPowersOffAndToleratesAGuestAlreadyOff() throws HypervisorException {
        String g1 = unique("g1");
        hypervisor.start(guest(g1));

        hypervisor.destroy(g1);
        assertThat(hypervisor.find(g1)).contains(new Domain(g1, State.SHUT_OFF));

        hypervisor.destroy(g1);
        assertThat(hypervisor.find(g1)).contains(new Domain(g1, State.SHUT_OFF));

        assertThatThrownBy(() -> hypervisor.destroy("nobody"))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("'nobody'").hasMessageContaining("no such guest");
    }

    @Test
    void libvirtErrorsNameGuestOperationAndLibvirtsReason() {
        assertThatThrownBy(() -> hypervisor.resume("test")) // running, not paused
                .isInstanceOf(HypervisorException.class)
                .hasMessageContaining("resume guest 'test'").hasMessageContaining(URI).hasMessageContaining("libvirt: ")
                .hasMessageContaining("not paused");
    }

    @Test
    void migrateFailsClearlyOnTheTestDriver() throws HypervisorException {
        String g1 = unique("g1");
        try (LibvirtHypervisor target = LibvirtHypervisor.connect(URI)) {
            hypervisor.start(guest(g1));

            assertThatThrownBy(() -> hypervisor.migrate(g1, target))
                    .isInstanceOf(HypervisorException.class)
                    .hasMessageContaining("'" + g1 + "'").hasMessageContaining("driver cannot migrate")
                    .hasMessageContaining("virDomainMigrate");

            assertThat(hypervisor.find(g1)).contains(new Domain(g1, State.RUNNING));
        }
    }

    @Test
    void onEventSeesTheLifecycleOfADrivenGuestUntilClosed() throws Exception {
        String g1 = unique("g1");
        List<DomainEvent> events = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = hypervisor.onEvent(events::add);

        hypervisor.start(guest(g1));
        hypervisor.suspend(g1);
        hypervisor.resume(g1);
        hypervisor.destroy(g1);

        await().atMost(DEADLINE).untilAsserted(() -> assertThat(events.stream()
                .filter(e -> e.guest().equals(g1) && e.kind() != Kind.OTHER).map(DomainEvent::kind))
                .containsExactly(Kind.STARTED, Kind.SUSPENDED, Kind.RESUMED, Kind.STOPPED));
        assertThat(events).filteredOn(e -> e.guest().equals(g1) && e.kind() == Kind.STARTED).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("STARTED (BOOTED)"));

        // after close, a second listener sees the next event and the first does not
        subscription.close();
        int seen = events.size();
        List<DomainEvent> later = new CopyOnWriteArrayList<>();
        try (AutoCloseable ignored = hypervisor.onEvent(later::add)) {
            hypervisor.start(guest(g1));
            await().atMost(DEADLINE).untilAsserted(() -> assertThat(later).contains(new DomainEvent(g1, Kind.STARTED, "STARTED (BOOTED)")));
        }
        assertThat(events).hasSize(seen);
    }

    @Test
    void connectingToABogusUriFailsClearly() {
        assertThatThrownBy(() -> LibvirtHypervisor.connect("bogus:///nothing"))
                .isInstanceOf(HypervisorException.class)
                .hasMessageContaining("bogus:///nothing").hasMessageContaining("libvirtd");
    }

    @Test
    void unknownGuestsAreReportedNotGuessed() throws HypervisorException {
        Optional<Domain> none = hypervisor.find("nobody");
        assertThat(none).isEmpty();
        assertThatThrownBy(() -> hypervisor.suspend("nobody")).hasMessageContaining("suspend guest 'nobody'")
                .hasMessageContaining("no such guest");
    }
}
