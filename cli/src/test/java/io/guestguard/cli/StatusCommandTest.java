package io.guestguard.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code guestguard status}'s options (what it makes of the topics: protocol's {@code FleetStatusTest}). */
class StatusCommandTest {

    @Test
    void watchingTakesWholeSecondsOfAtLeastOne() {
        CheckCommandTest.Run run = CheckCommandTest.Run.of("status", "--watch", "0", "--bootstrap-servers", "127.0.0.1:9");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--watch takes whole seconds, at least 1");
    }
}
