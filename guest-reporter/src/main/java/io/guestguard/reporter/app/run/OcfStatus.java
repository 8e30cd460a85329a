package io.guestguard.reporter.app.run;

/** The OCF exit codes by name, so a failure reads {@code OCF_NOT_RUNNING (7)} rather than a bare number. */
enum OcfStatus {
    OCF_SUCCESS, OCF_ERR_GENERIC, OCF_ERR_ARGS, OCF_ERR_UNIMPLEMENTED, OCF_ERR_PERM, OCF_ERR_INSTALLED,
    OCF_ERR_CONFIGURED, OCF_NOT_RUNNING, OCF_RUNNING_PROMOTED, OCF_FAILED_PROMOTED;

    static final int NOT_RUNNING = OCF_NOT_RUNNING.ordinal();

    /** {@code OCF_NOT_RUNNING (7)}; a code outside the standard as {@code exit N}. */
    static String describe(int code) {
        return code >= 0 && code < values().length ? values()[code] + " (" + code + ")" : "exit " + code + " (not an OCF code)";
    }

    /**
     * Whether the agent says it cannot work as configured or installed: retrying will not help,
     * an operator has to act.
     */
    static boolean needsOperator(int code) {
        return code == OCF_ERR_ARGS.ordinal() || code == OCF_ERR_INSTALLED.ordinal() || code == OCF_ERR_CONFIGURED.ordinal();
    }
}
