package io.guestguard.cli;

/**
 * What {@code guestguard} exits with, so scripts can tell a bad file from a Kafka outage. Command
 * line mistakes use sysexits' {@code EX_USAGE} rather than picocli's default 2, which means Kafka
 * here.
 */
final class ExitCodes {

    static final int OK = 0;
    /** The package file or scenario folder is invalid or unreadable; nothing was sent. */
    static final int INVALID_PACKAGE = 1;
    /** Kafka could not be reached, lacks the topic, or did not acknowledge in time. */
    static final int KAFKA_UNAVAILABLE = 2;
    /** {@code replay --verify} or {@code --scenario} found a decision the log (or the scenario) and the replay disagree on. */
    static final int DIFFERENCE = 3;
    /** {@code topics check} found a topic missing or not as GuestGuard needs it. */
    static final int TOPICS_DIFFER = 4;
    /** {@code host halt|detach|run} found no guest placed on the host or listing it: nothing was sent. */
    static final int NO_GUEST = 5;
    /** sysexits {@code EX_USAGE}: an unknown option, a missing {@code -f}. */
    static final int USAGE = 64;
    /** sysexits {@code EX_SOFTWARE}: an exception no one expected, i.e. a bug. */
    static final int SOFTWARE = 70;

    private ExitCodes() {
    }
}
