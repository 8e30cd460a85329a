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
                "fence-timeout", "30")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("guestguard.host.id: is not set; set it to this host's id")
                .hasMessageContaining("guestguard.host.state-dir: is not set; set it to a folder")
                .hasMessageContaining("guestguard.host.simulated.registry: is not set")
                .hasMessageContaining("guestguard.host.simulated.guest-command: does not contain {guest}")
                .hasMessageContaining("guestguard.host.fence-timeout: is '30', not a positive duration; write a whole number with ms")
                .hasMessageNotContaining("libvirt");
        assertThatThrownBy(() -> read(Map.of("id", "h1", "state-dir", "/s", "guest-vcpus", "0")))
                .hasMessageContaining("guestguard.host.guest-vcpus: is 0; give a whole number of at least 1");
        // The simulated host is on the tests' class path (the product's is libvirt alone).
        assertThatThrownBy(() -> read(Map.of("id", "h1", "state-dir", "/s", "hypervisor", "xen")))
                .hasMessageContaining("guestguard.host.hypervisor: is 'xen'; set it to libvirt or simulated, or put its "
                        + "adapter's jar on guestguard.host.hypervisor-path");
        assertThatThrownBy(() -> read(Map.of("id", "h1", "state-dir", "/s", "hypervisor-path", "/no/such.jar")))
                .hasMessageContaining("guestguard.host.hypervisor-path: names /no/such.jar, which does not exist");
    }

    @Test
    void libvirtIsTheDefaultAndTheFenceCommandIsSplitIntoArguments() {
        HostSettings s = read(Map.of("id", "h1", "state-dir", "/var/lib/guestguard/host",
                "fence-command", "/usr/local/bin/fence-ipmi --user admin"));
        assertThat(s.hypervisor()).isEqualTo("libvirt");
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

    private static HostSettings read(Map<String, String> properties) {
        return HostSettings.read(name -> Optional.ofNullable(properties.get(name.substring(HostSettings.PREFIX.length()))));
    }
}
