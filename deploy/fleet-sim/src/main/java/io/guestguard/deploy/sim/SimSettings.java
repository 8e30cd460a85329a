package io.guestguard.deploy.sim;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One simulation: the fleet's size, how long the steady state is measured and how often an
 * application fails in it, the storm (the share of all applications that fail within one second, 0
 * for none), how many hosts are lost at the end, the wave of live migrations (how many, 0 for none,
 * and how many at most in flight at once), and how many engine instances decide.
 */
record SimSettings(Path home, Path runDir, int guests, int hosts, int apps, Duration steady, double failuresPerSecond,
                   double storm, int hostLoss, int migrations, int migrationsInFlight, int engines, long seed) {

    SimSettings {
        if (guests < 1 || hosts < 2 || apps < 1) {
            throw new IllegalArgumentException("--guests and --apps must be at least 1 and --hosts at least 2 (a guest needs a standby)");
        }
        if (storm < 0 || storm > 1) {
            throw new IllegalArgumentException("--storm is a share of all applications, 0 to 1; " + storm + " is not");
        }
        if (hostLoss < 0 || hostLoss >= hosts) {
            throw new IllegalArgumentException("--host-loss must leave a host: 0 to " + (hosts - 1) + ", not " + hostLoss);
        }
        if (migrations < 0 || migrations > guests) {
            throw new IllegalArgumentException("--migrations migrates distinct guests: 0 to " + guests + ", not " + migrations);
        }
        if (migrationsInFlight < 1) {
            throw new IllegalArgumentException("--migrations-in-flight must be at least 1, not " + migrationsInFlight);
        }
        if (engines < 1 || engines > 2) {
            throw new IllegalArgumentException("--engines is 1 or 2, not " + engines);
        }
    }

    String guestId(int n) {
        return String.format("g%05d", n);
    }

    String hostId(int n) {
        return String.format("h%03d", n);
    }
}
