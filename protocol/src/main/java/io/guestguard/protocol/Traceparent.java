package io.guestguard.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/**
 * A W3C Trace Context {@code traceparent} (version {@code 00}), as the CloudEvents distributed-tracing
 * extension carries it: {@code 00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>}, lowercase,
 * neither id all zeros. A fact that starts a chain starts a trace ({@link #start}); a fact answering a
 * command continues the command's trace with a new span ({@link #child()}); the engine gives what it
 * writes a span derived from the output's id ({@link #derived}), so a replay writes the same one.
 *
 * @param traceId  32 lowercase hex digits, not all zeros: the whole chain's id
 * @param parentId 16 lowercase hex digits, not all zeros: the span of the event that carries it
 * @param flags    2 lowercase hex digits; bit 0 is "sampled"
 */
public record Traceparent(String traceId, String parentId, String flags) {

    /** The only version GuestGuard reads and writes. */
    public static final String VERSION = "00";
    /** Sampled: W3C's flag 01, which every trace GuestGuard starts carries (recording is the exporter's choice). */
    public static final String SAMPLED = "01";
    private static final int LENGTH = 55;
    private static final HexFormat HEX = HexFormat.of();
    private static final Random RANDOM = new SecureRandom();

    /** @throws IllegalArgumentException when a part breaks the W3C format */
    public Traceparent {
        requireHex("trace-id", traceId, 32);
        requireHex("parent-id", parentId, 16);
        requireHex("flags", flags, 2);
    }

    /**
     * Reads a {@code traceparent} strictly.
     *
     * @throws IllegalArgumentException naming what is wrong (version, length, a part, all zeros)
     */
    public static Traceparent parse(String text) {
        if (text == null || text.length() != LENGTH || text.charAt(2) != '-' || text.charAt(35) != '-' || text.charAt(52) != '-') {
            throw new IllegalArgumentException("traceparent " + FreeText.quote(text)
                    + " is not 00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags> (55 characters)");
        }
        if (!VERSION.equals(text.substring(0, 2))) {
            throw new IllegalArgumentException("traceparent " + FreeText.quote(text) + " has version "
                    + FreeText.quote(text.substring(0, 2)) + ", not 00, the only version GuestGuard reads");
        }
        try {
            return new Traceparent(text.substring(3, 35), text.substring(36, 52), text.substring(53));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("traceparent " + FreeText.quote(text) + ": " + e.getMessage(), e);
        }
    }

    /** A new trace: random trace-id and span, sampled. */
    public static Traceparent start() {
        return new Traceparent(randomHex(16), randomHex(8), SAMPLED);
    }

    /** The same trace, a new random span: what a fact answering a command carries. */
    public Traceparent child() {
        return new Traceparent(traceId, randomHex(8), flags);
    }

    /** The same trace, the span derived from {@code outputId}: the same output always gets the same span. */
    public Traceparent derived(String outputId) {
        return new Traceparent(traceId, nonZero(sha256("span:" + outputId).substring(0, 16)), flags);
    }

    /**
     * The trace of what the engine writes because of {@code cause}: the cause's trace (or, for a cause
     * that carries none, the one {@link #of} derives from its id), with a span derived from
     * {@code outputId}. Deterministic, so a replay writes it again and {@code replay --verify} compares it.
     */
    public static Traceparent causedBy(CloudEvent<?> cause, String outputId) {
        return (cause.traceparent() != null ? cause.traceparent() : of(cause.id())).derived(outputId);
    }

    /**
     * A trace for a cause that carries none (written before traces, or by a writer that sets none),
     * derived from its id: its outputs are still linked to one another, and a replay derives the same.
     */
    public static Traceparent of(String causeId) {
        String digest = sha256("trace:" + causeId);
        return new Traceparent(nonZero(digest.substring(0, 32)), nonZero(digest.substring(32, 48)), SAMPLED);
    }

    public boolean sampled() {
        return (HEX.fromHexDigits(flags) & 1) == 1;
    }

    @Override
    public String toString() {
        return VERSION + "-" + traceId + "-" + parentId + "-" + flags;
    }

    private static void requireHex(String part, String value, int digits) {
        if (value == null || value.length() != digits || !value.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            throw new IllegalArgumentException(part + " " + FreeText.quote(value) + " is not " + digits + " lowercase hex digits");
        }
        if (digits > 2 && value.chars().allMatch(c -> c == '0')) {
            throw new IllegalArgumentException(part + " is all zeros, which W3C Trace Context forbids");
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        do {
            RANDOM.nextBytes(random);
        } while (allZero(random));
        return HEX.formatHex(random);
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** A digest prefix of zeros only (chance 2^-64) becomes ...1, so a derived id is always valid. */
    private static String nonZero(String hex) {
        return hex.chars().allMatch(c -> c == '0') ? hex.substring(0, hex.length() - 1) + "1" : hex;
    }

    private static String sha256(String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
