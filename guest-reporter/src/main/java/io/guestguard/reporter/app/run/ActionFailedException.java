package io.guestguard.reporter.app.run;

/**
 * A start or stop that did not succeed.
 *
 * @see io.guestguard.protocol.AppFailed#unhealthy
 */
public final class ActionFailedException extends Exception {

    private final String check;
    private final String detail;

    /**
     * @param check the action: {@code start} (the failed fact's check) or {@code stop}
     * @param detail what it did, e.g. {@code exit 3}, {@code timed out after 60s}
     */
    public ActionFailedException(String check, String detail) {
        super(check + ": " + detail);
        this.check = check;
        this.detail = detail;
    }

    public String check() {
        return check;
    }

    public String detail() {
        return detail;
    }
}
