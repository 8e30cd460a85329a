package io.guestguard.deploy.sim;

import java.util.List;

/**
 * One simulated guest as its reporter and its hosts know it: where it runs (host and placement
 * epoch), whether it runs, its applications' pids and whether each is up, and its reporter's next
 * sequence number. Callers hold its monitor while they read or change it and while they send a fact
 * numbered by {@link #nextSeq()}, so its facts reach the log in the order of their numbers; the beat
 * threads read where it runs without the monitor, hence the volatile fields.
 */
final class SimGuest {

    final String id;
    /** Its package's hosts: where it starts first, then where it fails over to. */
    final List<String> hosts;
    final String[] apps;
    final long[] pids;
    final boolean[] up;
    volatile String host;
    long epoch;
    volatile boolean running;
    /** The last sequence number given; the reporter's first fact is number 1. */
    private long seq;

    SimGuest(String id, List<String> hosts, int apps) {
        this.id = id;
        this.hosts = List.copyOf(hosts);
        this.apps = new String[apps];
        for (int i = 0; i < apps; i++) {
            this.apps[i] = "app" + (i + 1);
        }
        this.pids = new long[apps];
        this.up = new boolean[apps];
    }

    long nextSeq() {
        return ++seq;
    }

    /** The index of {@code app}, or -1 for an application the guest does not have. */
    int indexOf(String app) {
        for (int i = 0; i < apps.length; i++) {
            if (apps[i].equals(app)) {
                return i;
            }
        }
        return -1;
    }
}
