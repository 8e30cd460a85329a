package io.guestguard.protocol.fleet;

import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.fleet.FleetStatus.HostMark;

import java.util.Collection;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the guests' states know of each host, from their placements: the engine keeps this per guest
 * (each guest is told of the hosts its package names), so a host is marked when any guest's state marks it.
 */
final class HostMarks {

    private HostMarks() {
    }

    static Map<String, SortedSet<HostMark>> of(Collection<GuestPlacement> placements) {
        Map<String, SortedSet<HostMark>> marks = new TreeMap<>();
        for (GuestPlacement p : placements) {
            p.lostHosts().stream().filter(h -> !p.fencedHosts().contains(h)).forEach(h -> mark(marks, h, HostMark.LOST));
            p.fencedHosts().forEach(h -> mark(marks, h, HostMark.FENCED));
            p.hostsInMaintenance().forEach(h -> mark(marks, h, HostMark.IN_MAINTENANCE));
            p.detachedHosts().forEach(h -> mark(marks, h, HostMark.DETACHED));
        }
        // A host one guest knows fenced is no longer only lost for another that has not heard yet.
        marks.values().forEach(m -> {
            if (m.contains(HostMark.FENCED)) {
                m.remove(HostMark.LOST);
            }
        });
        return marks;
    }

    private static void mark(Map<String, SortedSet<HostMark>> marks, String host, HostMark mark) {
        marks.computeIfAbsent(host, h -> new TreeSet<>()).add(mark);
    }
}
