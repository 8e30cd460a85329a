package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One human-readable line per fact or decision, e.g.
 * {@code 12:00:01.234  g1/app1  failed (SIGKILL, pid 4242)} and
 * {@code 12:00:01.234  g1/app1  -> restart 1/3}. A decision carries the time of the fact it answers.
 */
final class TimelineFormat {

    private final DateTimeFormatter clock;

    TimelineFormat(ZoneId zone) {
        this.clock = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(zone);
    }

    String line(CloudEvent<?> event) {
        return clock.format(event.time()) + "  " + subject(event) + "  " + what(event);
    }

    String deadLetter(String key, String reason, String origin) {
        return "dead letter (" + origin + ", key " + key + "): " + reason;
    }

    private static String subject(CloudEvent<?> event) {
        String app = event.data() instanceof Fact fact ? appOf(fact)
                : event.data() instanceof Decision decision ? decision.app() : null;
        String who = event.guestId() != null ? event.guestId() : event.hostId();
        return app == null ? who : who + "/" + app;
    }

    private static String appOf(Fact fact) {
        return fact.accept(new Fact.Visitor<>() {
            @Override
            public String appStarted(AppStarted f) {
                return f.app();
            }

            @Override
            public String appFailed(AppFailed f) {
                return f.app();
            }

            @Override
            public String appStopped(AppStopped f) {
                return f.app();
            }
        });
    }

    private static String what(CloudEvent<?> event) {
        if (event.data() instanceof Decision decision) {
            String limit = decision.limit() == null ? "unlimited" : decision.limit().toString();
            return switch (decision.action()) {
                case RESTART_APP -> "-> restart " + decision.attempt() + "/" + limit;
                case NONE -> "-> no restart: " + decision.reason().text();
            };
        }
        if (event.data() instanceof Fact fact) {
            return fact.accept(new Fact.Visitor<>() {
                @Override
                public String appStarted(AppStarted f) {
                    return "started (pid " + f.pid() + ")";
                }

                @Override
                public String appFailed(AppFailed f) {
                    return "failed (" + f.cause() + ", pid " + f.pid() + ")";
                }

                @Override
                public String appStopped(AppStopped f) {
                    return "stopped (pid " + f.pid() + ")";
                }
            });
        }
        return event.type();
    }
}
