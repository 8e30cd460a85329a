package io.guestguard.policy.core;

import io.guestguard.protocol.Decision;

/** The typed vocabulary of why the decider decided; each value carries a readable sentence template. */
public enum DecisionReason {
    APP_FAILED_WITHIN_LIMIT("%s failed (%s); restart %d of %s allowed"),
    RESTART_LIMIT_EXCEEDED("%s failed (%s); its restart limit of %s is used up, so it is not restarted again");

    private final String template;

    DecisionReason(String template) {
        this.template = template;
    }

    /** The wire form: this reason's code and its sentence filled with {@code args}. */
    public Decision.Reason toReason(Object... args) {
        return new Decision.Reason(name(), String.format(java.util.Locale.ROOT, template, args));
    }
}
