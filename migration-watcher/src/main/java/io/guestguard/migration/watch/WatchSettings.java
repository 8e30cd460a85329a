package io.guestguard.migration.watch;

import java.time.Duration;

/**
 * How patient the watcher is.
 *
 * @param rebindTimeout how long to wait for {@code rebound} (or a gap to heal) before sending the
 *                      rebind again
 * @param rebindAttempts how many rebinds are sent, in all, before contact counts as lost
 * @param blackoutGrace how long after a migration ends heartbeat gaps still count as the migration's
 * @param migrationTimeout a migration that neither completed nor failed by then is abandoned: the
 *                         source is taken to keep the guest, and contact with it is checked
 * @param silenceTimeout outside a blackout, a running guest silent this long is checked with a rebind
 * @param startGrace after a guest starts, how long its reporter may take to be heard: a blackout too
 */
public record WatchSettings(Duration rebindTimeout, int rebindAttempts, Duration blackoutGrace, Duration migrationTimeout,
                            Duration silenceTimeout, Duration startGrace) {

    public static final WatchSettings DEFAULT = new WatchSettings(Duration.ofSeconds(2), 3, Duration.ofSeconds(2),
            Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ofSeconds(30));

    public WatchSettings {
        if (rebindAttempts < 1) {
            throw new IllegalArgumentException("rebind-attempts must be at least 1, not " + rebindAttempts);
        }
        for (Duration d : new Duration[] {rebindTimeout, blackoutGrace, migrationTimeout, silenceTimeout, startGrace}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("every watcher duration must be positive, not " + d);
            }
        }
    }
}
