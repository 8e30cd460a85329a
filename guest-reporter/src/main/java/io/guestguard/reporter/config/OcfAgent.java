package io.guestguard.reporter.config;

import java.nio.file.Path;

/**
 * Where an OCF resource agent lives: {@code OCF_ROOT/resource.d/PROVIDER/TYPE}.
 *
 * @param root the {@code OCF_ROOT} the agent is run with (absolute)
 */
public record OcfAgent(Path root, String provider, String type) {

    /** The agent's executable. */
    public Path executable() {
        return root.resolve("resource.d").resolve(provider).resolve(type);
    }

    /** Pacemaker's spelling, {@code ocf:heartbeat:Dummy}. */
    @Override
    public String toString() {
        return "ocf:" + provider + ":" + type;
    }
}
