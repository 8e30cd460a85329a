package io.guestguard.reporter.app.run;

/**
 * One running instance of an application.
 *
 * @param pid its process id, or {@code null} for kinds without a single process (script, OCF)
 */
public record Running(Long pid) {
}
