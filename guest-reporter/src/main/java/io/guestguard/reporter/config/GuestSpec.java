package io.guestguard.reporter.config;

import java.util.List;

/**
 * What one guest's reporter supervises, as read from its YAML file.
 *
 * @param guest the guest id: the Kafka key of everything this reporter sends and the address of the
 *              commands it obeys
 * @param applications the applications to start and supervise, in start order
 */
public record GuestSpec(String guest, List<AppSpec> applications) {

    public GuestSpec {
        applications = List.copyOf(applications);
    }

    /**
     * One supervised application.
     *
     * @param name unique within the guest
     * @param command a shell command line, run as {@code /bin/sh -c "exec COMMAND"} so that the
     *                application itself (not a shell) is the supervised process
     */
    public record AppSpec(String name, String command) {
    }
}
