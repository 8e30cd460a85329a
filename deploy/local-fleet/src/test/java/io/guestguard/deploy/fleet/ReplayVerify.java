package io.guestguard.deploy.fleet;

import io.guestguard.cli.GuestGuardCommand;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code guestguard replay --verify} on a fleet's brokers, as an operator runs it: every decision reproduced. */
final class ReplayVerify {

    private ReplayVerify() {
    }

    /** Replays the guest log and asserts the CLI exits 0 with no decision differing. */
    static void assertEveryDecisionReproduced(String bootstrapServers) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new GuestGuardCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("replay", "--verify", "--bootstrap-servers", bootstrapServers);
        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString()).containsPattern("\\d+ decisions, 0 differences");
    }
}
