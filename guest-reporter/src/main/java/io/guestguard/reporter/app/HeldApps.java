package io.guestguard.reporter.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The applications a restarted reporter must not start at once, kept in the state folder:
 * <ul>
 *   <li>those an operator stopped ({@code stop-app}), held until a {@code start-app} or {@code restart-app};</li>
 *   <li>those whose {@code restart-app} waits out its backoff, held until the time it is due, so that a
 *       reporter restarted meanwhile neither cuts the backoff short nor forgets the restart.</li>
 * </ul>
 * One line per application in {@code held-apps}: its name, then {@code until EPOCH_MILLIS} for a
 * restart that is due then. The file is replaced atomically on every change.
 */
final class HeldApps {

    private static final String UNTIL = " until ";

    private final Path file;
    /** Application name to the time its restart is due, or empty while an operator holds it. */
    private final Map<String, Optional<Instant>> held;

    private HeldApps(Path file, Map<String, Optional<Instant>> held) {
        this.file = file;
        this.held = held;
    }

    static HeldApps load(Path stateDir) {
        Path file = stateDir.resolve("held-apps");
        try {
            Map<String, Optional<Instant>> held = new TreeMap<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    int until = line.indexOf(UNTIL);
                    if (until < 0 && !line.isBlank()) {
                        held.put(line.trim(), Optional.empty());
                    } else if (until >= 0) {
                        held.put(line.substring(0, until).trim(), Optional.of(Instant.ofEpochMilli(
                                Long.parseLong(line.substring(until + UNTIL.length()).trim()))));
                    }
                }
            }
            return new HeldApps(file, held);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + ": a line's time after 'until' is not a number: " + e.getMessage()
                    + "; delete the line to start that application at once");
        }
    }

    synchronized boolean isHeld(String app) {
        return held.containsKey(app);
    }

    /** Every held application, stopped or waiting for its restart. */
    synchronized Set<String> all() {
        return Set.copyOf(held.keySet());
    }

    /** The restarts that wait out a backoff, with the time each is due. */
    synchronized Map<String, Instant> restartsDue() {
        Map<String, Instant> due = new TreeMap<>();
        held.forEach((app, until) -> until.ifPresent(at -> due.put(app, at)));
        return due;
    }

    /** An operator's stop: held until started again; it also cancels a restart that was waiting. */
    synchronized void hold(String app) {
        put(app, Optional.empty());
    }

    /** A restart waiting out its backoff, due at {@code due}. */
    synchronized void holdUntil(String app, Instant due) {
        put(app, Optional.of(due));
    }

    synchronized void release(String app) {
        if (held.remove(app) != null) {
            save();
        }
    }

    /**
     * Releases the restart due at {@code due}, if it is still the one waiting: a stop or another
     * restart received meanwhile replaced it. Returns whether the caller should start the application.
     */
    synchronized boolean releaseRestart(String app, Instant due) {
        if (!held.getOrDefault(app, Optional.empty()).equals(Optional.of(due))) {
            return false;
        }
        release(app);
        return true;
    }

    private void put(String app, Optional<Instant> until) {
        if (!until.equals(held.put(app, until))) {
            save();
        }
    }

    private void save() {
        List<String> lines = new ArrayList<>();
        held.forEach((app, until) -> lines.add(app + until.map(at -> UNTIL + at.toEpochMilli()).orElse("")));
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try {
            Files.createDirectories(file.getParent());
            Files.write(next, lines);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
