package io.guestguard.host.hypervisor;

import io.guestguard.protocol.Durations;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Reads a host supervisor's settings under {@code guestguard.host.}, collecting every problem (the
 * property, what is wrong, the fix) so that all are reported at once: the supervisor's own and its
 * hypervisor adapter's alike.
 */
public final class SettingsReader {

    public static final String PREFIX = "guestguard.host.";

    private final Function<String, Optional<String>> lookup;
    private final List<String> problems = new ArrayList<>();

    /** @param lookup a property's value (its full name), if set */
    public SettingsReader(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public Optional<String> optional(String name) {
        return lookup.apply(PREFIX + name).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String required(String name, String fix) {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            problem(name, "is not set", fix);
            return null;
        }
        return value.get();
    }

    public Path path(String name, Path fallback, String fix) {
        Optional<String> value = optional(name);
        if (value.isEmpty() && fallback == null) {
            problem(name, "is not set", fix);
            return null;
        }
        return value.map(Path::of).orElse(fallback);
    }

    public Duration duration(String name, String fallback) {
        String value = optional(name).orElse(fallback);
        OptionalLong ms = Durations.parseMillis(value);
        if (ms.isEmpty() || ms.getAsLong() == 0) {
            problem(name, "is '" + value + "', not a positive duration", Durations.SYNTAX);
            return Duration.ofMillis(Durations.parseMillis(fallback).orElseThrow());
        }
        return Duration.ofMillis(ms.getAsLong());
    }

    public int positiveInt(String name, int fallback) {
        Optional<String> value = optional(name);
        try {
            int n = value.map(Integer::parseInt).orElse(fallback);
            if (n < 1) {
                problem(name, "is " + n, "give a whole number of at least 1");
            }
            return n;
        } catch (NumberFormatException e) {
            problem(name, "is '" + value.get() + "', not a whole number", "give a whole number of at least 1");
            return fallback;
        }
    }

    /** Tells of a problem with property {@code PREFIX + name}: {@code what} is wrong, {@code fix} mends it. */
    public void problem(String name, String what, String fix) {
        problems.add(PREFIX + name + ": " + what + "; " + fix);
    }

    /** Throws {@link IllegalArgumentException} listing every problem told, if any. */
    public void failIfAny() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid host supervisor configuration (application.properties, "
                    + "-D flags or GUESTGUARD_HOST_* environment):\n  " + String.join("\n  ", problems));
        }
    }
}
