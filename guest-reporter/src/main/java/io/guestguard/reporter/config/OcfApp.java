package io.guestguard.reporter.config;

import java.util.List;
import java.util.Map;

/**
 * An application managed by an unmodified OCF resource agent (as Pacemaker runs them).
 *
 * @param params the agent's parameters, passed as {@code OCF_RESKEY_<name>}; checked against the
 *               agent's meta-data when the file was loaded
 */
public record OcfApp(String name, OcfAgent agent, Map<String, String> params, ActionTimeouts timeouts,
                     List<ProbeSpec> probes) implements AppSpec {

    public OcfApp {
        params = Map.copyOf(params);
        probes = List.copyOf(probes);
    }
}
