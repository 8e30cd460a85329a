package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ./fleet --brokers N}: one broker by default, a cluster of 3 or more; 2 and a secure cluster refused with why. */
class FleetBrokersOptionTest {

    private static LocalFleet.Options options(String... args) {
        FleetCommand command = new FleetCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void oneBrokerByDefaultAndAClusterOfThreeOnRequest() {
        assertThat(options().brokers()).isEqualTo(1);
        assertThat(options("--brokers", "3").brokers()).isEqualTo(3);
        assertThat(options("--brokers", "3", "--engines", "2").instances()).isEqualTo(2);
    }

    @Test
    void twoBrokersAndASecureClusterAreRefusedSayingWhy() {
        assertThatThrownBy(() -> options("--brokers", "2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--brokers 2: give 1, or 3 or more");
        assertThatThrownBy(() -> options("--brokers", "3", "--secure")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--secure runs one broker");
        assertThatThrownBy(() -> options("--brokers", "0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--brokers must be 1 or more");
    }
}
