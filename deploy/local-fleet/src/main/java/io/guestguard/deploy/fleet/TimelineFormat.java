package io.guestguard.deploy.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Rebind;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One human-readable line per fact or decision, e.g.
 * {@code 12:00:01.234  g1/app1  failed (SIGKILL, pid 4242)},
 * {@code 12:00:01.234  g1/app1  -> restart 1/3} and {@code 12:00:01.234  g1  -> migrate g1 h1 -> h2}.
 * A decision carries its decision time (the broker's time of the fact it answers), and the time the
 * fact's writer stamped next to it when that clock is more than 5 s off
 * ({@code g1/app1  -> restart 1/2  [fact stamped 10:00:01.234, 2 h 0 min behind]}); a fact read from the
 * guest log is shown at its record's time the same way. A host's refusal of a command stands out
 * ({@code REFUSED by h2: ...}), as the alert the decider raises on it does, and so does the
 * migration watcher's escalation ({@code CONTACT LOST ...}); its rebinds show as commands. An operator's
 * application stop or start shows as the request ({@code g1/app1  operator alice asks stop app app1}) and
 * the decision on it ({@code g1/app1  -> stop on h1 (epoch 1), as the operator asks}, or an alert).
 */
final class TimelineFormat {

    /** A writer's clock further off the decider's than this is shown next to the decision. */
    static final Duration SKEW_SHOWN = Duration.ofSeconds(5);

    private final DateTimeFormatter clock;

    TimelineFormat(ZoneId zone) {
        this.clock = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(zone);
    }

    String line(CloudEvent<?> event) {
        return clock.format(event.time()) + "  " + entry(event);
    }

    /**
     * The line of a fact read from the guest log, at {@code recordTime} (its broker time: the time the
     * decider read for it), with the time its writer stamped when that is far off.
     */
    String line(CloudEvent<?> event, Instant recordTime) {
        if (!(event.data() instanceof Fact)) {
            return line(event);
        }
        return clock.format(recordTime) + "  " + entry(event) + stamped(event.time(), recordTime);
    }

    /** The line without its time, for a caller that prints its own (a time relative to a play's start). */
    String entry(CloudEvent<?> event) {
        String entry = subject(event) + "  " + what(event);
        return event.data() instanceof Decision d && d.factTime() != null ? entry + stamped(d.factTime(), event.time()) : entry;
    }

    /**
     * {@code "  [fact stamped 10:00:01.234, 2 h 0 min behind]"} when a writer's clock stamped a fact more
     * than {@link #SKEW_SHOWN} away from the decider's clock; nothing otherwise.
     */
    private String stamped(Instant own, Instant decided) {
        Duration skew = Duration.between(decided, own);
        if (skew.abs().compareTo(SKEW_SHOWN) <= 0) {
            return "";
        }
        return "  [fact stamped " + clock.format(own) + ", " + amount(skew.abs()) + (skew.isNegative() ? " behind]" : " ahead]");
    }

    /** {@code 2 h 0 min}, {@code 10 min}, {@code 1 min 30 s} or {@code 45 s}. */
    private static String amount(Duration d) {
        return d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min"
                : d.toMinutes() > 0 ? d.toMinutes() + " min" + (d.toSecondsPart() > 0 ? " " + d.toSecondsPart() + " s" : "")
                : d.toSeconds() + " s";
    }

    /** {@code 12:00:01.234  host primary leaving (detached up to 10 min)}: its supervisor stopped on purpose. */
    String leaving(String host, Instant appended, Duration detachTimeout) {
        return clock.format(appended) + "  host " + host + " leaving (detached up to " + amount(detachTimeout) + ")";
    }

    /** {@code 12:00:09.876  host primary beats again (attached; its guests were left running)}. */
    String back(String host, Instant appended) {
        return clock.format(appended) + "  host " + host + " beats again (attached; its guests were left running)";
    }

    String deadLetter(String key, String reason, String service, String origin) {
        return "dead letter by " + service + " (" + origin + ", key " + key + "): " + reason;
    }

    private static String subject(CloudEvent<?> event) {
        String app = event.data() instanceof Fact fact ? fact.appName()
                : event.data() instanceof Decision decision ? decision.app() : null;
        String who = event.guestId() != null ? event.guestId() : event.hostId();
        return app == null ? who : who + "/" + app;
    }

    private static String what(CloudEvent<?> event) {
        if (event.data() instanceof Decision decision) {
            return "-> " + decided(event.guestId(), decision);
        }
        if (event.data() instanceof CommandRefused refused) {
            return "REFUSED by " + refused.host() + ": " + refused.command() + " " + refused.commandId()
                    + (event.epoch() == null ? "" : " (epoch " + event.epoch() + ")") + ": " + refused.reason();
        }
        if (event.data() instanceof ContactLost lost) {
            return "CONTACT LOST (escalated by the migration watcher): " + lost.describe();
        }
        if (event.data() instanceof Fact fact) {
            return fact.describe();
        }
        if (event.data() instanceof Rebind rebind) {
            return "-> rebind to " + rebind.host() + " (epoch " + rebind.epoch() + "), " + event.id().replaceAll(".*:", "")
                    + ", sent by the migration watcher";
        }
        return event.type();
    }

    static String decided(String guest, Decision d) {
        String limit = d.limit() == null ? "unlimited" : d.limit().toString();
        return switch (d.action()) {
            case RESTART_APP -> "restart " + d.attempt() + "/" + limit + (d.delayMs() != null && d.delayMs() > 0 ? " in " + d.delayMs() + " ms" : "");
            case STOP_APP -> "stop on " + d.fromHost() + " (epoch " + d.epoch() + "), as the operator asks";
            case START_APP -> "start on " + d.fromHost() + " (epoch " + d.epoch() + "), as the operator asks";
            case FAILOVER -> "fail over " + d.fromHost() + " -> " + d.toHost() + ": " + d.reason().text();
            case FAILBACK -> "fail back " + d.fromHost() + " -> " + d.toHost();
            case MOVE -> "move " + d.fromHost() + " -> " + d.toHost();
            case MIGRATE -> "migrate " + guest + " " + d.fromHost() + " -> " + d.toHost();
            case START_GUEST -> "start on " + d.toHost() + " (epoch " + d.epoch() + ")";
            case HALT_GUEST -> "halt on " + d.fromHost();
            case FENCE_HOST -> "fence " + d.fromHost() + ": " + d.reason().text();
            case HOLD -> "hold: " + d.reason().text();
            case ALERT -> "ALERT: " + d.reason().text();
            case NONE -> (d.app() != null ? "no restart: " : "") + d.reason().text(); // an application's, or a note
        };
    }
}
