package io.guestguard.protocol;

/**
 * A past-tense fact on {@code guest-log.v1}: something that happened to a guest, its applications,
 * its hosts, or an operator's request about it. Facts are the decider's only input, in one order
 * per guest.
 */
public sealed interface Fact extends Payload permits AppStarted, AppFailed, AppStopped, PackageApplied, GuestStarted,
        GuestHalted, GuestStartFailed, GuestHaltFailed, MigrationStarted, MigrationCompleted, MigrationFailed, HostLost,
        HostFenced, HostAvailable, OperatorRequest, ReporterStarted, Rebound, CommandRefused,
        ContactLost, DeadlineReached {

    /** Dispatches to the visitor method for this fact's type. */
    <R> R accept(Visitor<R> visitor);

    /** What happened, as a short phrase for timelines and logs (e.g. {@code failed (SIGKILL, pid 42)}). */
    String describe();

    /** The application concerned, or {@code null} for a fact about the whole guest. */
    default String appName() {
        return null;
    }

    /** One method per fact type, so that adding a fact breaks every consumer that must handle it. */
    interface Visitor<R> {
        R appStarted(AppStarted fact);

        R appFailed(AppFailed fact);

        R appStopped(AppStopped fact);

        R packageApplied(PackageApplied fact);

        R guestStarted(GuestStarted fact);

        R guestHalted(GuestHalted fact);

        R guestStartFailed(GuestStartFailed fact);

        R guestHaltFailed(GuestHaltFailed fact);

        R migrationStarted(MigrationStarted fact);

        R migrationCompleted(MigrationCompleted fact);

        R migrationFailed(MigrationFailed fact);

        R hostLost(HostLost fact);

        R hostFenced(HostFenced fact);

        R hostAvailable(HostAvailable fact);

        R operatorRequest(OperatorRequest fact);

        R reporterStarted(ReporterStarted fact);

        R rebound(Rebound fact);

        R commandRefused(CommandRefused fact);

        R contactLost(ContactLost fact);

        R deadlineReached(DeadlineReached fact);
    }
}
