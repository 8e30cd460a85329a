package io.guestguard.deploy.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Skewed guest clocks on the local fleet ({@code ./fleet --guest-clock g1=-2h}): a guest given one runs
 * its reporter (and its applications) under Debian's libfaketime through {@code guest-clock.sh}, which
 * reads the offset from the guest's clock file at every clock read, so {@link #set} moves a running
 * guest's clock (as a VM's clock jumps after a pause or a live migration). The guests' own facts then
 * carry that clock's times; the decider's clock is the broker's, so nothing it decides changes.
 */
final class GuestClocks {

    /** A libfaketime relative offset: a sign, a number and a unit (s, m, h, d), or {@code +0}. */
    private static final Pattern OFFSET = Pattern.compile("^[+-]\\d{1,6}[smhd]?$");
    private static final List<Path> LIBRARY_PLACES = List.of(Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"), Path.of("/usr/lib/faketime/libfaketime.so.1"));

    private final Path dir;

    GuestClocks(Path runDir) {
        this.dir = runDir.resolve("clocks");
    }

    /** Checks {@code --guest-clock} values: known guests, libfaketime offsets; the message names the fix. */
    static void check(Map<String, String> clocks, List<String> guests) {
        clocks.forEach((guest, offset) -> {
            if (!guests.contains(guest)) {
                throw new IllegalArgumentException("--guest-clock " + guest + "=" + offset + ": no guest " + guest
                        + " in the fleet; its guests are " + String.join(", ", guests));
            }
            if (!OFFSET.matcher(offset).matches()) {
                throw new IllegalArgumentException("--guest-clock " + guest + "=" + offset + ": the offset is a sign, a "
                        + "number and a unit (s, m, h, d), e.g. -2h, +2h, +30m, or +0 for a true clock that can be moved later");
            }
        });
    }

    /** Debian's libfaketime, or a failure that says how to install it. */
    static Path library() {
        return LIBRARY_PLACES.stream().filter(Files::isRegularFile).findFirst().or(() -> {
            try (Stream<Path> found = Files.find(Path.of("/usr/lib"), 3,
                    (p, a) -> p.getFileName().toString().equals("libfaketime.so.1"))) {
                return found.findFirst();
            } catch (IOException e) {
                return java.util.Optional.empty();
            }
        }).orElseThrow(() -> new IllegalStateException("--guest-clock runs guests under Debian's faketime, which is not "
                + "installed: apt-get install faketime"));
    }

    /** The guest command's prefix: {@code sh RUN/guest-clock.sh RUN/clocks/{guest}}. */
    List<String> wrapper(Path script) {
        return List.of("sh", script.toString(), dir.resolve("{guest}").toString());
    }

    /** Sets (or moves) {@code guest}'s clock offset; a running guest reads it at its next clock read. */
    void set(String guest, String offset) {
        check(Map.of(guest, offset), List.of(guest));
        try {
            Files.createDirectories(dir);
            Path next = dir.resolve("." + guest + ".next");
            Files.writeString(next, offset + "\n");
            Files.move(next, dir.resolve(guest), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + guest + "'s clock in " + dir, e);
        }
    }
}
