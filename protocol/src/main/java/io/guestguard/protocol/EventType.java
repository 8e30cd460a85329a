package io.guestguard.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every CloudEvents {@code type} GuestGuard speaks, with the payload class it carries. The JSON
 * Schema of each payload is the resource {@code /schemas/<type>.json}.
 */
public enum EventType {
    APP_STARTED("io.guestguard.app.started.v1", AppStarted.class),
    APP_FAILED("io.guestguard.app.failed.v1", AppFailed.class),
    APP_STOPPED("io.guestguard.app.stopped.v1", AppStopped.class),
    RESTART_APP("io.guestguard.command.restart-app.v1", RestartApp.class),
    DECISION("io.guestguard.decision.v1", Decision.class),
    HEARTBEAT("io.guestguard.heartbeat.v1", Heartbeat.class);

    private static final Map<String, EventType> BY_TYPE =
            Arrays.stream(values()).collect(Collectors.toMap(EventType::type, Function.identity()));
    private static final Map<Class<?>, EventType> BY_CLASS =
            Arrays.stream(values()).collect(Collectors.toMap(EventType::payloadClass, Function.identity()));

    private final String type;
    private final Class<? extends Payload> payloadClass;

    EventType(String type, Class<? extends Payload> payloadClass) {
        this.type = type;
        this.payloadClass = payloadClass;
    }

    /** The CloudEvents {@code type} attribute. */
    public String type() {
        return type;
    }

    public Class<? extends Payload> payloadClass() {
        return payloadClass;
    }

    /** The classpath resource holding this payload's JSON Schema. */
    public String schemaResource() {
        return "/schemas/" + type + ".json";
    }

    public static Optional<EventType> fromType(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    public static EventType of(Payload payload) {
        return BY_CLASS.get(payload.getClass());
    }
}
