package io.guestguard.host.simulated;

import io.guestguard.host.hypervisor.SettingsReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class SimulatedSettingsTest {

    @Test
    void everyProblemIsReportedWithThePropertyAndTheFix() {
        assertThatThrownBy(() -> read(Map.of("simulated.guest-command", "java -jar reporter.jar")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("guestguard.host.simulated.registry: is not set")
                .hasMessageContaining("guestguard.host.simulated.guest-command: does not contain {guest}");
    }

    @Test
    void theGuestNetworkIsCheckedAndOffUnlessItsUpstreamIsSet() {
        Map<String, String> simulated = Map.of("simulated.registry", "/r", "simulated.guest-command", "run {guest}");
        assertThat(read(simulated).gateway()).isNull();
        assertThat(read(simulated).guestLogs()).isEqualTo(Path.of("/s/guests"));

        Map<String, String> withGateway = new HashMap<>(simulated);
        withGateway.put("simulated.gateway.upstream", "127.0.0.1:9094");
        SimulatedSettings s = read(withGateway);
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

    @Test
    void aClusterOfBrokersIsOneRouteEachInTheSameOrder() {
        Map<String, String> cluster = new HashMap<>(Map.of("simulated.registry", "/r", "simulated.guest-command", "run {guest}",
                "simulated.gateway.upstream", "127.0.0.1:9094,127.0.0.1:9095,127.0.0.1:9096",
                "simulated.gateway.port", "9192,9193,9194"));
        assertThat(read(cluster).gateway().routes()).extracting(GuestGateway.Route::port, r -> r.upstream().getPort())
                .containsExactly(tuple(9192, 9094), tuple(9193, 9095), tuple(9194, 9096));

        cluster.put("simulated.gateway.port", "9192,9193");
        assertThatThrownBy(() -> read(cluster)).hasMessageContaining("guestguard.host.simulated.gateway.port: gives 2 ports "
                + "for 3 brokers in simulated.gateway.upstream; give one port per broker, in the same order");
    }

    @Test
    void aGuestIsItsCommandWithItsId() {
        var connector = new SimulatedAdapter().configure("h1", Path.of("/s"), reader(Map.of("simulated.registry", "/r",
                "simulated.guest-command", "java -Dguest={guest} -jar reporter.jar")));
        assertThat(connector.definition("g1").command()).containsExactly("java", "-Dguest=g1", "-jar", "reporter.jar");
    }

    private static SimulatedSettings read(Map<String, String> properties) {
        SettingsReader r = reader(properties);
        SimulatedSettings settings = SimulatedSettings.read(Path.of("/s"), r);
        r.failIfAny();
        return settings;
    }

    private static SettingsReader reader(Map<String, String> properties) {
        return new SettingsReader(name -> Optional.ofNullable(properties.get(name.substring(SettingsReader.PREFIX.length()))));
    }
}
