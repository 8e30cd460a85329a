package io.guestguard.host.supervisor;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Fences a lost host by running the configured command with the lost host's id as its last argument
 * (and in {@code GUESTGUARD_LOST_HOST}): in production an IPMI or Redfish power-off, for the local
 * fleet a script that kills the simulated host's guests. Exit 0 within the timeout means the host is
 * off; anything else, or no answer, means it is not known to be.
 *
 * <p>The engine asks for a fence once per guest of the lost host. A power-off confirmed after a
 * request was made holds for that request too, so the hook runs once per loss, not once per guest.
 * Runs for the same host are serialised.
 */
public final class FenceHook {

    private static final Logger LOG = Logger.getLogger(FenceHook.class);

    private final List<String> command;
    private final Duration timeout;
    private final String self;
    private final Clock clock;
    /** Per lost host: when its last fence was confirmed. */
    private final Map<String, Instant> confirmed = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** What a fence came to: confirmed, or why not. */
    public record Outcome(boolean fenced, String detail) {
    }

    /**
     * @param command the hook's argv without the lost host's id; empty: no hook configured
     */
    public FenceHook(List<String> command, Duration timeout, String self, Clock clock) {
        this.command = List.copyOf(command);
        this.timeout = timeout;
        this.self = self;
        this.clock = clock;
    }

    public boolean configured() {
        return !command.isEmpty();
    }

    /** Fences {@code lostHost} for a request made at {@code requestedAt}; blocks up to the timeout. */
    public Outcome fence(String lostHost, Instant requestedAt) {
        if (!configured()) {
            return new Outcome(false, "no fence hook is configured on " + self + "; set guestguard.host.fence-command");
        }
        synchronized (locks.computeIfAbsent(lostHost, h -> new Object())) {
            Instant last = confirmed.get(lostHost);
            if (last != null && !last.isBefore(requestedAt)) {
                return new Outcome(true, "fenced at " + last + " for an earlier request of this loss");
            }
            Outcome outcome = run(lostHost);
            if (outcome.fenced()) {
                confirmed.put(lostHost, clock.instant());
            }
            return outcome;
        }
    }

    private Outcome run(String lostHost) {
        List<String> argv = new ArrayList<>(command);
        argv.add(lostHost);
        Path output = null;
        try {
            output = Files.createTempFile("guestguard-fence-", ".log");
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("GUESTGUARD_LOST_HOST", lostHost);
            builder.environment().put("GUESTGUARD_HOST", self);
            long started = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new Outcome(false, "fence hook " + argv + " gave no answer within " + timeout.toMillis() + " ms");
            }
            String said = lastLine(output);
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (process.exitValue() == 0) {
                LOG.infof("fenced %s with %s in %d ms%s", lostHost, argv, ms, said.isEmpty() ? "" : ": " + said);
                return new Outcome(true, said.isEmpty() ? "fence hook exited 0" : said);
            }
            return new Outcome(false, "fence hook " + argv + " exited " + process.exitValue() + (said.isEmpty() ? "" : ": " + said));
        } catch (IOException e) {
            return new Outcome(false, "fence hook " + argv + " could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, "interrupted while fencing " + lostHost);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    LOG.debugf("could not remove %s: %s", output, e);
                }
            }
        }
    }

    private static String lastLine(Path output) throws IOException {
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }
}
