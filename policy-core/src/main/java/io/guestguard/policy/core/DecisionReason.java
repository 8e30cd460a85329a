package io.guestguard.policy.core;

import io.guestguard.protocol.Decision;


/** The typed vocabulary of why the decider decided; each value carries a readable sentence template. */
public enum DecisionReason {
    APP_FAILED_WITHIN_LIMIT("%s failed (%s); restart %d of %s allowed%s"),
    RESTART_LIMIT_EXCEEDED("%s failed (%s), failure %d within its window; its restart limit of %s is used up, so %s fails over from %s to %s"),
    RESTART_LIMIT_EXCEEDED_NO_PACKAGE("%s failed (%s); its restart limit of %s is used up and no package is applied, so it cannot fail over"),
    NO_ELIGIBLE_HOST("%s must leave %s (%s), but no eligible host is left; waiting for one"),
    PACKAGE_IN_MAINTENANCE("%s; the package is in maintenance, so nothing is restarted or moved"),
    SWITCHING_DISABLED("%s; package switching is disabled (enable it to allow failover), so %s stays on %s"),
    AUTO_RUN("package %s is applied with auto_run and runs nowhere; start it on %s"),
    HALT_CONFIRMED("%s halted on %s; start it on %s as epoch %d"),
    HOST_LOST_FENCE_FIRST("host %s was lost with %s on it; fence %s (from %s) before %s starts elsewhere"),
    HOST_LOST_NO_FENCE("host %s was lost with %s on it; the package does not wait for fencing, so start it on %s as epoch %d"),
    HOST_FENCED("host %s is fenced; start %s on %s as epoch %d"),
    START_FAILED_NEXT_HOST("%s failed to start on %s (%s); start it on %s as epoch %d"),
    HALT_FAILED_FENCE("%s did not halt on %s (%s); fence %s (from %s) before it starts on %s"),
    GUEST_DOWN("%s halted on %s without being asked; start it on %s as epoch %d"),
    HOST_AVAILABLE("host %s is available and %s is waiting for a host; start it on %s as epoch %d"),
    FAILBACK("host %s, preferred to %s, is available and failback is automatic; move %s back"),
    CONTACT_LOST("%s: failures in %s may go unnoticed, so it fails over from %s to %s"),
    HELD_FAILOVER("%s had to leave %s (an application used up its restart limit) and now may: it fails over to %s"),
    OPERATOR_HALT("operator %s halts %s on %s"),
    OPERATOR_RUN("operator %s runs %s on %s as epoch %d"),
    OPERATOR_MOVE("operator %s moves %s from %s to %s"),
    OPERATOR_MIGRATE("operator %s live-migrates %s from %s to %s (epoch %d); its restart budgets go with it"),
    OPERATOR_STOP_APP("operator %s stops %s in %s on %s; it is reported stopped, not failed, and nothing restarts it until an operator starts it"),
    OPERATOR_START_APP("operator %s starts %s in %s on %s"),
    APP_REQUEST_NOT_IN_PACKAGE("operator %s asked to %s %s in %s, but its package names no application %s: nothing is sent"),
    APP_REQUEST_WITHOUT_APP("operator %s asked to %s an application in %s without naming it: nothing is sent"),
    APP_REQUEST_GUEST_NOT_RUNNING("operator %s asked to %s %s in %s, but %s is %s: nothing is sent (its applications are stopped or started with the guest)"),
    HOST_NOT_ELIGIBLE("operator %s asked for %s on %s, which is not eligible (%s)"),
    MIGRATION_NOT_POSSIBLE("operator %s asked to migrate %s to %s, but it is %s: nothing to migrate"),
    COMMAND_REFUSED("host %s refused %s %s for %s (%s); nothing is retried and %s stays %s: check it by hand"),
    UNEXPECTED_PLACEMENT("%s reports running on %s as epoch %d, but it is placed on %s as epoch %d: check for a second runner"),
    HALT_FOLLOWS_MIGRATION("%s was live-migrated from %s to %s while its halt was under way; halt it on %s (epoch %d)"),
    OPERATOR_HALT_BY_FENCE("operator %s halts %s, whose host %s is lost and being fenced: no halt is sent there, and the guest stays down once %s is fenced"),
    FENCE_RETRY("the fence of %s (lost with %s on it) is not confirmed %d s after it was asked; fence it again from %s (attempt %d of %d)"),
    FENCE_UNCONFIRMED("the fence of %s was asked %d times and never confirmed; %s starts nowhere until %s is fenced or its supervisor reports it off: fence it by hand"),
    MIGRATION_TARGET_NOT_LISTED("%s was live-migrated from %s to %s, a host its package does not list; migrate it back to %s (epoch %d), its restart budgets with it"),
    HOST_MAINTENANCE_MOVE("host %s goes into maintenance with %s on it; move it to %s"),
    HOST_HALT_MIGRATE("operator %s halts host %s; live-migrate %s to %s (epoch %d), its restart budgets with it"),
    HOST_HALT_MIGRATION_FAILED("the live migration of %s from %s to %s failed (%s) while %s is halted; halt it there and start it on %s"),
    HOST_DETACHED_BY_OPERATOR("operator %s detaches host %s: %s keeps running there untouched, its applications still restarted; nothing moves it off %s or fences it until it runs again"),
    HOST_ATTACHED_BY_OPERATOR("operator %s runs host %s again: %s, running there, is attached; what its detach held back is carried out now"),
    HOST_DID_NOT_COME_BACK("host %s left (its supervisor stopped) and did not come back within its detach time, with %s on it: %s is neither fenced nor left; if it is gone, guestguard host run %s fences it and fails %s over; once it beats again, host run %s attaches it"),
    HOST_DETACHED("%s; host %s is detached, so nothing moves %s off it or fences it until it runs again (guestguard host run %s)"),
    APP_NOT_IN_PACKAGE("%s reports %s %s, but its package names no application %s: nothing is counted or restarted (its reporter's file and its package disagree)"),
    TOO_MANY_APPS_WITHOUT_PACKAGE("%s %s, but %s has no package and already keeps budgets for %d applications, the most without one: nothing is counted or restarted; apply its package"),
    SEQUENCE_JUMP("%s's fact %s is numbered %d, far past the highest number seen (%d; a reporter skips at most %d): decided on its content, but the number is not taken as the reporter's"),
    SEQUENCE_RUN_FAR_AHEAD("%s's reporter started a new run as fact %s, numbered %d, far past the highest number seen (%d): its facts numbered from there are new, and facts below it still count when nobody used their number"),
    SEQUENCE_REUSED("%s's fact %s is numbered %d, as a different recent fact was: one of them was not written by its reporter; decided on its content");

    private final String template;
    /** The template's text around its {@code %s} and {@code %d} placeholders (the only ones used). */
    private final String[] parts;

    DecisionReason(String template) {
        this.template = template;
        this.parts = template.split("%[sd]", -1);
    }

    /** The sentence's template, in {@code String.format}'s syntax. */
    String template() {
        return template;
    }

    /**
     * The wire form: this reason's code and its sentence filled with {@code args}, as
     * {@code String.format(Locale.ROOT, template, args)} fills it ({@code %d} of an integer and {@code %s}
     * of anything but a {@code Formattable} are its {@code String.valueOf}), without parsing the
     * template on every decision (4 to 5% of the decider's time went there).
     */
    public Decision.Reason toReason(Object... args) {
        if (args.length != parts.length - 1) {
            throw new IllegalArgumentException(name() + " takes " + (parts.length - 1) + " arguments, not " + args.length);
        }
        StringBuilder text = new StringBuilder(parts[0]);
        for (int i = 0; i < args.length; i++) {
            text.append(args[i]).append(parts[i + 1]);
        }
        return new Decision.Reason(name(), text.toString());
    }
}
