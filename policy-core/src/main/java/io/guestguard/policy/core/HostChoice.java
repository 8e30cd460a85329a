package io.guestguard.policy.core;

import io.guestguard.protocol.PackageSpec;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which host a guest may go to, and which it goes to. A host is eligible when the package lists it
 * and it is neither lost, nor in maintenance, nor one that already failed the guest during this move
 * (it could not start it, or the guest's applications used up their restart limit there).
 * {@code configured_node} takes the first eligible host in the package's order; {@code min_package_node}
 * the one running the fewest guests (ties in the package's order).
 *
 * @param host the chosen host
 * @param loadsUsed the loads the choice was based on (empty for {@code configured_node})
 */
record HostChoice(String host, Map<String, Integer> loadsUsed) {

    static List<String> eligible(GuestState state, Set<String> exclude) {
        if (state.spec() == null) {
            return List.of();
        }
        return state.hosts().eligible(state.spec().hosts(), exclude);
    }

    static Optional<HostChoice> choose(GuestState state, Set<String> exclude, FleetView view) {
        List<String> candidates = eligible(state, exclude);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        if (state.spec().failoverPolicy() == PackageSpec.FailoverPolicy.CONFIGURED_NODE) {
            return Optional.of(new HostChoice(candidates.get(0), Map.of()));
        }
        Map<String, Integer> loads = new TreeMap<>();
        candidates.forEach(h -> loads.put(h, view.load(h)));
        String least = candidates.stream().min(Comparator.comparingInt(view::load)).orElseThrow();
        return Optional.of(new HostChoice(least, loads));
    }

    /** Why nothing is eligible, in words: each listed host and what rules it out. */
    static String whyNone(GuestState state, Set<String> exclude) {
        if (state.spec() == null) {
            return "no package is applied";
        }
        KnownHosts known = state.hosts();
        return String.join(", ", state.spec().hosts().stream().map(h -> h + " " + known.whyNot(h, exclude)).toList());
    }
}
