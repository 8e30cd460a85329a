package io.guestguard.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/**
 * What a command asks for, one constant per command type ({@link Command#kind()}). On the wire
 * (e.g. {@link CommandRefused#command()}) and in text a kind is its {@linkplain #wireName() wire
 * name}, the middle of its CloudEvents type: {@code start-guest} for
 * {@code io.guestguard.command.start-guest.v1}.
 */
public enum CommandKind {
    RESTART_APP("restart-app"),
    STOP_APP("stop-app"),
    START_APP("start-app"),
    REBIND("rebind"),
    START_GUEST("start-guest"),
    HALT_GUEST("halt-guest"),
    MIGRATE_GUEST("migrate-guest"),
    FENCE_HOST("fence-host");

    private final String wireName;

    CommandKind(String wireName) {
        this.wireName = wireName;
    }

    /** The kind as records carry it, e.g. {@code start-guest}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The kind whose {@linkplain #wireName() wire name} is {@code wireName}. */
    @JsonCreator
    public static CommandKind fromWire(String wireName) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(wireName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no command kind '" + wireName + "'"));
    }

    /** The wire name, so that a kind reads in a sentence as it reads in a record. */
    @Override
    public String toString() {
        return wireName;
    }
}
