package io.guestguard.reporter.config;

import java.time.Duration;

/**
 * The timing of an application managed by start, stop and monitor actions (script and OCF kinds).
 *
 * @param monitorInterval the pause between the end of one monitor and the start of the next
 */
public record ActionTimeouts(Duration monitorInterval, Duration monitorTimeout, Duration startTimeout,
                             Duration stopTimeout) {
}
