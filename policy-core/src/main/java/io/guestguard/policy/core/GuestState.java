package io.guestguard.policy.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the decider remembers about one guest: per application, its restart budget. Budgets
 * are keyed by guest and application, never by host, so nothing about a host can reset them.
 * Immutable; the decider returns a new state.
 *
 * @param apps each application's budget, by application name
 */
public record GuestState(Map<String, AppBudget> apps) {

    public static final GuestState EMPTY = new GuestState(Map.of());

    public GuestState {
        apps = Map.copyOf(apps);
    }

    public AppBudget app(String name) {
        return apps.getOrDefault(name, AppBudget.FRESH);
    }

    public GuestState with(String name, AppBudget budget) {
        Map<String, AppBudget> next = new TreeMap<>(apps);
        next.put(name, budget);
        return new GuestState(next);
    }

    /**
     * One application's restart budget.
     *
     * @param restarts restarts decided so far
     * @param lastFailedPid the pid of the last failure counted, so a repeated report of the same
     *                      failure is not counted twice (0 when none)
     */
    public record AppBudget(int restarts, long lastFailedPid) {
        public static final AppBudget FRESH = new AppBudget(0, 0);
    }
}
