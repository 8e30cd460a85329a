package io.guestguard.protocol;

/**
 * A past-tense fact on {@code guest-log.v1}: something that happened to a guest or one of its
 * applications. Facts are the only input of the policy decider.
 */
public sealed interface Fact extends Payload permits AppStarted, AppFailed, AppStopped {

    /** Dispatches to the visitor method for this fact's type. */
    <R> R accept(Visitor<R> visitor);

    /** One method per fact type, so that adding a fact breaks every consumer that must handle it. */
    interface Visitor<R> {
        R appStarted(AppStarted fact);

        R appFailed(AppFailed fact);

        R appStopped(AppStopped fact);
    }
}
