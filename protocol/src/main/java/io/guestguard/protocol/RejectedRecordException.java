package io.guestguard.protocol;

/**
 * A record that cannot be processed: malformed JSON, a missing CloudEvents attribute, an unknown
 * type, or data that fails its schema. The message is the reason that goes to the dead-letter topic.
 */
public class RejectedRecordException extends RuntimeException {
    public RejectedRecordException(String reason) {
        super(reason);
    }

    public RejectedRecordException(String reason, Throwable cause) {
        super(reason, cause);
    }

    public String reason() {
        return getMessage();
    }
}
