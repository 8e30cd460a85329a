package io.guestguard.host.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostSettingsTest {

    @Test
    void everyProblemIsReportedAtOnceWithThePropertyAndTheFix() {
        assertThatThrownBy(() -> read(Map.of("hypervisor", "simulated", "simulated.guest-command", "java -jar reporter.jar",
                "fence-timeout", "30", "guest-vcpus", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("guestguard.host.id: is not set; set it to this host's id")
                .hasMessageContaining("guestguard.host.state-dir: is not set; set it to a folder")
                .hasMessageContaining("guestguard.host.simulated.registry: is not set")
                .hasMessageContaining("guestguard.host.simulated.guest-command: does not contain {guest}")
                .hasMessageContaining("guestguard.host.fence-timeout: is '30', not a positive duration; write a whole number with ms")
                .hasMessageContaining("guestguard.host.guest-vcpus: is 0; give a whole number of at least 1");
        assertThatThrownBy(() -> read(Map.of("id", "h1", "state-dir", "/s", "hypervisor", "xen")))
                .hasMessageContaining("guestguard.host.hypervisor: is 'xen'; set it to libvirt or simulated");
    }

    @Test
    void libvirtIsTheDefaultAndTheFenceCommandIsSplitIntoArguments() {
        HostSettings s = read(Map.of("id", "h1", "state-dir", "/var/lib/guestguard/host",
                "fence-command", "/usr/local/bin/fence-ipmi --user admin"));
        assertThat(s.hypervisor()).isEqualTo("libvirt");
        assertThat(s.libvirtUri()).isEqualTo("qemu:///system");
        assertThat(s.stateDir()).isEqualTo(Path.of("/var/lib/guestguard/host"));
        assertThat(s.fenceCommand()).containsExactly("/usr/local/bin/fence-ipmi", "--user", "admin");
        assertThat(s.fenceTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.peerTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(read(Map.of("id", "h1", "state-dir", "/s")).fenceCommand()).isEqualTo(List.of());
        assertThat(s.commandRetry()).isEqualTo(new HostSettings.Retry(Duration.ofSeconds(1), Duration.ofSeconds(30), 6));
        assertThat(s.maxGuests()).isEqualTo(50_000);
        assertThat(s.maxHosts()).isEqualTo(2_000);
    }

    @Test
    void commandRetriesAndTheFleetWatchsBoundsAreChecked() {
        assertThatThrownBy(() -> read(Map.of("id", "h1", "state-dir", "/s", "command-retry.attempts", "0",
                "command-retry.first-delay", "1m", "max-guests", "many")))
                .hasMessageContaining("guestguard.host.command-retry.attempts: is 0; give a whole number of at least 1")
                .hasMessageContaining("guestguard.host.command-retry.max-delay: is shorter than command-retry.first-delay")
                .hasMessageContaining("guestguard.host.max-guests: is 'many', not a whole number");
    }

    @Test
    void aSimulatedHostsGuestNetworkIsCheckedAndOffUnlessItsUpstreamIsSet() {
        Map<String, String> simulated = Map.of("id", "h1", "state-dir", "/s", "hypervisor", "simulated",
                "simulated.registry", "/r", "simulated.guest-command", "run {guest}");
        assertThat(read(simulated).gateway()).isNull();

        Map<String, String> withGateway = new java.util.HashMap<>(simulated);
        withGateway.put("simulated.gateway.upstream", "127.0.0.1:9094");
        HostSettings s = read(withGateway);
        assertThat(s.gateway().name()).isEqualTo("kafka.guestguard.internal");
        assertThat(s.gateway().port()).isEqualTo(9192);
        assertThat(s.gateway().upstream().getPort()).isEqualTo(9094);

        withGateway.put("simulated.gateway.upstream", "kafka");
        withGateway.put("simulated.gateway.port", "70000");
        assertThatThrownBy(() -> read(withGateway))
                .hasMessageContaining("guestguard.host.simulated.gateway.upstream: is 'kafka', not HOST:PORT; set it to the "
                        + "broker's guest listener");
        withGateway.put("simulated.gateway.upstream", "127.0.0.1:9094");
        assertThatThrownBy(() -> read(withGateway))
                .hasMessageContaining("guestguard.host.simulated.gateway.port: is 70000; give a port from 1 to 65535");
    }

    private static HostSettings read(Map<String, String> properties) {
        return HostSettings.read(name -> Optional.ofNullable(properties.get(name.substring(HostSettings.PREFIX.length()))));
    }
}
