package io.guestguard.reporter.app.run;

import io.guestguard.reporter.config.OcfApp;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an unmodified OCF resource agent as Pacemaker would: {@code AGENT start|stop|monitor} with the
 * parameters as {@code OCF_RESKEY_*} and the action's timeout as {@code OCF_RESKEY_CRM_meta_timeout}.
 * {@code HA_RSCTMP} and {@code HA_VARRUN} point into the state folder, so agents keep their state
 * files and pid files there and need no root-owned {@code /run}. A stop that finds the resource not
 * running ({@code OCF_NOT_RUNNING}) has nothing left to do, so it counts as stopped.
 */
final class OcfRunner extends ActionRunner {

    private static final Logger LOG = Logger.getLogger(OcfRunner.class);

    private final OcfApp spec;
    private final Path rscTmp;
    private final Path varRun;

    OcfRunner(OcfApp spec, RunContext context) {
        super(spec.name(), spec.timeouts(), context);
        this.spec = spec;
        this.rscTmp = context.stateDir().resolve("ocf").resolve("rsctmp");
        this.varRun = context.stateDir().resolve("ocf").resolve("run");
    }

    @Override
    List<String> command(String action) {
        return List.of(spec.agent().executable().toString(), action);
    }

    @Override
    Map<String, String> environment(String action, Duration timeout, Duration interval) {
        try {
            Files.createDirectories(rscTmp);
            Files.createDirectories(varRun);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>();
        env.put("OCF_ROOT", spec.agent().root().toString());
        env.put("OCF_RA_VERSION_MAJOR", "1");
        env.put("OCF_RA_VERSION_MINOR", "0");
        env.put("OCF_RESOURCE_INSTANCE", spec.name());
        env.put("OCF_RESOURCE_PROVIDER", spec.agent().provider());
        env.put("OCF_RESOURCE_TYPE", spec.agent().type());
        spec.params().forEach((name, value) -> env.put("OCF_RESKEY_" + name, value));
        env.put("OCF_RESKEY_CRM_meta_timeout", Long.toString(timeout.toMillis()));
        if (action.equals("monitor")) {
            env.put("OCF_RESKEY_CRM_meta_interval", Long.toString(interval.toMillis()));
        }
        env.put("HA_RSCTMP", rscTmp.toString());
        env.put("HA_VARRUN", varRun + "/");
        return env;
    }

    @Override
    String describe(int exitCode) {
        return OcfStatus.describe(exitCode);
    }

    @Override
    boolean stopped(int exitCode) {
        return exitCode == 0 || exitCode == OcfStatus.NOT_RUNNING;
    }

    @Override
    void failed(String action, ActionProcess.Outcome outcome) {
        if (outcome.exitCode() != null && OcfStatus.needsOperator(outcome.exitCode())) {
            LOG.errorf("%s: %s %s answered %s: it cannot work as configured or installed, and retrying will not "
                    + "change that; an operator must fix it (see %s)", spec.name(), spec.agent(), action,
                    OcfStatus.describe(outcome.exitCode()), spec.agent().executable() + " meta-data");
        }
    }
}
