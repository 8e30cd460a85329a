package io.guestguard.policy.core;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a guest's state knows of hosts: which are lost, which of those are confirmed fenced, which an
 * operator put in maintenance (or halted), which an operator detached, and which failed the guest during
 * the current move. Immutable: every
 * change returns a new value. The sets are sorted, so that the state serialises and iterates the same
 * way in every JVM (replay depends on it); {@link GuestState} stores them as four fields of its own,
 * its JSON form.
 *
 * @param lost hosts known to be lost (until they are available again)
 * @param fenced lost hosts confirmed fenced
 * @param inMaintenance hosts an operator took out of service (maintenance, or {@code host halt})
 * @param detached hosts an operator detached ({@code host detach}): a guest on one keeps running there,
 *                 nothing moves it off or fences the host, and no guest goes there, until it runs again
 * @param failedTargets hosts that failed the guest during the current move: they could not start it,
 *                      or its applications used up their restart limit there
 */
public record KnownHosts(SortedSet<String> lost, SortedSet<String> fenced, SortedSet<String> inMaintenance,
                         SortedSet<String> detached, SortedSet<String> failedTargets) {

    public static final KnownHosts NONE = new KnownHosts(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());

    public KnownHosts(Set<String> lost, Set<String> fenced, Set<String> inMaintenance, Set<String> detached,
                      Set<String> failedTargets) {
        this(sorted(lost), sorted(fenced), sorted(inMaintenance), sorted(detached), sorted(failedTargets));
    }

    public KnownHosts {
        lost = sorted(lost);
        fenced = sorted(fenced);
        inMaintenance = sorted(inMaintenance);
        detached = sorted(detached);
        failedTargets = sorted(failedTargets);
    }

    public boolean isLost(String host) {
        return lost.contains(host);
    }

    public boolean isFenced(String host) {
        return fenced.contains(host);
    }

    public boolean isInMaintenance(String host) {
        return inMaintenance.contains(host);
    }

    public boolean isDetached(String host) {
        return detached.contains(host);
    }

    public boolean hasFailed(String host) {
        return failedTargets.contains(host);
    }

    /** Whether nothing is known of any host. */
    public boolean isEmpty() {
        return lost.isEmpty() && fenced.isEmpty() && inMaintenance.isEmpty() && detached.isEmpty() && failedTargets.isEmpty();
    }

    /** {@code host} was lost: no guest goes there, and it no longer counts as having failed this move. */
    KnownHosts markLost(String host) {
        return new KnownHosts(plus(lost, host), fenced, inMaintenance, detached, minus(failedTargets, host));
    }

    /** {@code host} was fenced: powered off, so also lost until it is available again. */
    KnownHosts markFenced(String host) {
        return new KnownHosts(plus(lost, host), plus(fenced, host), inMaintenance, detached, failedTargets);
    }

    /** {@code host} is available again: neither lost, nor fenced, nor failed this move. */
    KnownHosts markBack(String host) {
        return new KnownHosts(minus(lost, host), minus(fenced, host), inMaintenance, detached, minus(failedTargets, host));
    }

    KnownHosts markInMaintenance(String host) {
        return new KnownHosts(lost, fenced, plus(inMaintenance, host), detached, failedTargets);
    }

    KnownHosts markOutOfMaintenance(String host) {
        return new KnownHosts(lost, fenced, minus(inMaintenance, host), detached, failedTargets);
    }

    KnownHosts markDetached(String host) {
        return new KnownHosts(lost, fenced, inMaintenance, plus(detached, host), failedTargets);
    }

    KnownHosts markAttached(String host) {
        return new KnownHosts(lost, fenced, inMaintenance, minus(detached, host), failedTargets);
    }

    /** {@code host} failed the guest during this move: not tried again in it. */
    KnownHosts markFailedTarget(String host) {
        return new KnownHosts(lost, fenced, inMaintenance, detached, plus(failedTargets, host));
    }

    /** A new move begins (a start was confirmed, an operator runs the guest): any host may be tried again. */
    KnownHosts withoutFailedTargets() {
        return failedTargets.isEmpty() ? this : new KnownHosts(lost, fenced, inMaintenance, detached, Set.of());
    }

    /** The hosts of {@code listed}, in order, that are neither lost, in maintenance, detached, failed, nor excluded. */
    List<String> eligible(List<String> listed, Set<String> exclude) {
        return listed.stream()
                .filter(h -> !isLost(h))
                .filter(h -> !isInMaintenance(h))
                .filter(h -> !isDetached(h))
                .filter(h -> !hasFailed(h))
                .filter(h -> !exclude.contains(h))
                .toList();
    }

    /** Why {@code host} is or is not eligible, in words ("is lost"). */
    public String whyNot(String host, Set<String> exclude) {
        return exclude.contains(host) ? "is the one it leaves"
                : isLost(host) ? "is lost"
                : isInMaintenance(host) ? "is in maintenance"
                : isDetached(host) ? "is detached"
                : hasFailed(host) ? "failed it during this move" : "is eligible";
    }

    /**
     * Only what concerns the hosts of {@code relevant}; the hosts in maintenance and detached are kept
     * whole unless {@code maintenanceToo} (an operator may name them before a package says which hosts
     * matter).
     * Returns this value itself when nothing is dropped.
     */
    KnownHosts keptTo(Set<String> relevant, boolean maintenanceToo) {
        boolean maintenanceKept = !maintenanceToo || relevant.containsAll(inMaintenance) && relevant.containsAll(detached);
        if (relevant.containsAll(lost) && relevant.containsAll(fenced) && maintenanceKept
                && relevant.containsAll(failedTargets)) {
            return this;
        }
        return new KnownHosts(retained(lost, relevant), retained(fenced, relevant),
                maintenanceToo ? retained(inMaintenance, relevant) : inMaintenance,
                maintenanceToo ? retained(detached, relevant) : detached, retained(failedTargets, relevant));
    }

    private static Set<String> plus(Set<String> hosts, String host) {
        Set<String> next = new TreeSet<>(hosts);
        next.add(host);
        return next;
    }

    private static Set<String> minus(Set<String> hosts, String host) {
        Set<String> next = new TreeSet<>(hosts);
        next.remove(host);
        return next;
    }

    private static Set<String> retained(Set<String> hosts, Set<String> relevant) {
        Set<String> kept = new TreeSet<>(hosts);
        kept.retainAll(relevant);
        return kept;
    }

    /** A read-only sorted copy; one made here already (as a state's sets are) is taken as it is, unchanged by anyone. */
    static SortedSet<String> sorted(Set<String> set) {
        if (set != null && set.getClass() == READ_ONLY && ((SortedSet<String>) set).comparator() == null) {
            return (SortedSet<String>) set;
        }
        return Collections.unmodifiableSortedSet(new TreeSet<>(set == null ? Set.of() : set));
    }

    private static final Class<?> READ_ONLY = Collections.unmodifiableSortedSet(new TreeSet<String>()).getClass();
}
