package io.guestguard.reporter.config;

import java.util.List;

/**
 * One supervised application. The kinds differ in how the application is started, stopped and
 * watched; every kind can have probes.
 */
public sealed interface AppSpec permits ExecApp, ScriptApp, OcfApp {

    /** Unique within the guest; the name in every fact and command. */
    String name();

    /** Health checks from outside the application, run while it runs. */
    List<ProbeSpec> probes();
}
