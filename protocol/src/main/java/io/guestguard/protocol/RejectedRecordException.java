package io.guestguard.protocol;

/**
 * A record that cannot be processed: too large, malformed JSON, a missing or malformed CloudEvents
 * attribute, an unknown type, data that fails its schema, or a record on the wrong topic or under
 * the wrong key. The message is the reason that goes to the dead-letter topic; since it may quote
 * what the record held, it is {@linkplain FreeText#clean cleaned} of control characters and cut to
 * 1,024 characters.
 */
public class RejectedRecordException extends RuntimeException {

    private static final int MAX_REASON = 1024;

    public RejectedRecordException(String reason) {
        super(clean(reason));
    }

    public RejectedRecordException(String reason, Throwable cause) {
        super(clean(reason), cause);
    }

    public String reason() {
        return getMessage();
    }

    private static String clean(String reason) {
        String clean = FreeText.clean(reason);
        return clean.length() <= MAX_REASON ? clean : clean.substring(0, MAX_REASON - 1) + "…";
    }
}
