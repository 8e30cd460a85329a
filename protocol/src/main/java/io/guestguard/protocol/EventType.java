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
    PACKAGE_APPLIED("io.guestguard.package.applied.v1", PackageApplied.class),
    GUEST_STARTED("io.guestguard.guest.started.v1", GuestStarted.class),
    GUEST_HALTED("io.guestguard.guest.halted.v1", GuestHalted.class),
    GUEST_START_FAILED("io.guestguard.guest.start-failed.v1", GuestStartFailed.class),
    GUEST_HALT_FAILED("io.guestguard.guest.halt-failed.v1", GuestHaltFailed.class),
    MIGRATION_STARTED("io.guestguard.migration.started.v1", MigrationStarted.class),
    MIGRATION_COMPLETED("io.guestguard.migration.completed.v1", MigrationCompleted.class),
    MIGRATION_FAILED("io.guestguard.migration.failed.v1", MigrationFailed.class),
    HOST_LOST("io.guestguard.host.lost.v1", HostLost.class),
    HOST_FENCED("io.guestguard.host.fenced.v1", HostFenced.class),
    HOST_AVAILABLE("io.guestguard.host.available.v1", HostAvailable.class),
    OPERATOR_REQUEST("io.guestguard.operator.request.v1", OperatorRequest.class),
    COMMAND_REFUSED("io.guestguard.host.command-refused.v1", CommandRefused.class),
    REPORTER_STARTED("io.guestguard.reporter.started.v1", ReporterStarted.class),
    REBOUND("io.guestguard.reporter.rebound.v1", Rebound.class),
    CONTACT_LOST("io.guestguard.guest.contact-lost.v1", ContactLost.class),
    DEADLINE_REACHED("io.guestguard.deadline.reached.v1", DeadlineReached.class),
    RESTART_APP("io.guestguard.command.restart-app.v1", RestartApp.class),
    STOP_APP("io.guestguard.command.stop-app.v1", StopApp.class),
    START_APP("io.guestguard.command.start-app.v1", StartApp.class),
    REBIND("io.guestguard.command.rebind.v1", Rebind.class),
    START_GUEST("io.guestguard.command.start-guest.v1", StartGuest.class),
    HALT_GUEST("io.guestguard.command.halt-guest.v1", HaltGuest.class),
    MIGRATE_GUEST("io.guestguard.command.migrate-guest.v1", MigrateGuest.class),
    FENCE_HOST("io.guestguard.command.fence-host.v1", FenceHost.class),
    DECISION("io.guestguard.decision.v1", Decision.class),
    PLACEMENT("io.guestguard.placement.v1", GuestPlacement.class),
    HEARTBEAT("io.guestguard.heartbeat.v1", Heartbeat.class),
    HOST_LEAVING("io.guestguard.host.leaving.v1", HostLeaving.class),
    DETECTOR_TICK("io.guestguard.detector.tick.v1", DetectorTick.class),
    KEY_REGISTERED("io.guestguard.key.registered.v1", KeyRegistered.class),
    KEY_REVOKED("io.guestguard.key.revoked.v1", KeyRevoked.class);

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
