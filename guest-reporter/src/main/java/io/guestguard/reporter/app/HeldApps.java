package io.guestguard.reporter.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;

/**
 * The applications an operator stopped ({@code stop-app}), kept in the state folder so that a
 * restarted reporter does not start them again until a {@code start-app} or {@code restart-app}.
 * One name per line in {@code held-apps}, replaced atomically on every change.
 */
final class HeldApps {

    private final Path file;
    private final Set<String> held;

    private HeldApps(Path file, Set<String> held) {
        this.file = file;
        this.held = held;
    }

    static HeldApps load(Path stateDir) {
        Path file = stateDir.resolve("held-apps");
        try {
            Set<String> held = new TreeSet<>();
            if (Files.exists(file)) {
                Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty()).forEach(held::add);
            }
            return new HeldApps(file, held);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    synchronized boolean isHeld(String app) {
        return held.contains(app);
    }

    synchronized Set<String> all() {
        return Set.copyOf(held);
    }

    synchronized void hold(String app) {
        if (held.add(app)) {
            save();
        }
    }

    synchronized void release(String app) {
        if (held.remove(app)) {
            save();
        }
    }

    private void save() {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try {
            Files.createDirectories(file.getParent());
            Files.write(next, held);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
