package io.guestguard.reporter.app;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import io.guestguard.reporter.config.GuestFileLoader;
import io.guestguard.reporter.config.GuestSpec;
import io.guestguard.reporter.config.InvalidConfigException;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.CommandLineArguments;
import io.guestguard.reporter.config.ReporterConfig;
import io.guestguard.reporter.messaging.CommandListener;
import io.guestguard.reporter.messaging.FactPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The reporter's lifecycle: read the guest file, connect to Kafka, listen for commands, then start
 * the applications; on shutdown, stop them and report that they were stopped.
 */
@ApplicationScoped
public class Reporter {

    private static final Logger LOG = Logger.getLogger(Reporter.class);

    private final ReporterConfig config;
    private final String bootstrapServers;
    private final String[] args;
    private final EventCodec codec = new EventCodec();
    private GuestSpec guest;
    private FactPublisher publisher;
    private ApplicationSupervisor supervisor;
    private CommandListener commands;
    /** Runs heartbeats and restarts that wait out their backoff, so the command listener never sleeps. */
    private final ScheduledExecutorService delayed = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "reporter-timers");
        thread.setDaemon(true);
        return thread;
    });

    Reporter(ReporterConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
             @CommandLineArguments String[] args) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.args = args;
    }

    /**
     * {@code --check}: validates the guest file without starting anything, as {@code cmcheckconf}
     * does; prints the result and returns the exit code (0 valid, 1 invalid).
     */
    int check() {
        Path file = Path.of(config.reporter().configFile());
        try {
            GuestSpec spec = new GuestFileLoader().load(file);
            System.out.printf("%s: OK (guest %s, %d applications)%n", file, spec.guest(), spec.applications().size());
            return 0;
        } catch (InvalidConfigException e) {
            e.problems().forEach(System.err::println);
            return 1;
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (List.of(args).contains("--check")) {
            Quarkus.asyncExit(check());
            return;
        }
        try {
            guest = new GuestFileLoader().load(Path.of(config.reporter().configFile()));
        } catch (InvalidConfigException e) {
            LOG.errorf("refusing to start: %s", e.getMessage());
            Quarkus.asyncExit(1);
            return;
        }
        Topics topics = new Topics(config.topicPrefix());
        publisher = new FactPublisher(bootstrapServers, topics, guest.guest(), codec);
        supervisor = new ApplicationSupervisor(guest.applications(), publisher, config.reporter().stopGrace());
        commands = new CommandListener(bootstrapServers, topics.guestCommands(), guest.guest(), codec,
                this::execute, publisher::deadLetter);
        commands.start();
        supervisor.startAll();
        long beatMs = config.reporter().heartbeatInterval().toMillis();
        delayed.scheduleAtFixedRate(publisher::heartbeat, 0, beatMs, TimeUnit.MILLISECONDS);
        LOG.infof("reporting for guest %s (%d applications) to %s", guest.guest(), guest.applications().size(), bootstrapServers);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (commands != null) {
            commands.close();
        }
        delayed.shutdownNow();
        if (supervisor != null) {
            supervisor.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }

    private void execute(CloudEvent<? extends Command> command) {
        if (command.data() instanceof RestartApp restart) {
            if (!supervisor.has(restart.app())) {
                throw new RejectedRecordException("guest " + guest.guest() + " has no application '" + restart.app() + "'");
            }
            LOG.infof("restarting %s (attempt %d of %s, %s)%s", restart.app(), restart.attempt(),
                    restart.limit() == null ? "unlimited" : restart.limit(), command.id(),
                    restart.delayMs() > 0 ? " in " + restart.delayMs() + " ms" : "");
            if (restart.delayMs() > 0) {
                delayed.schedule(() -> restartNow(restart.app()), restart.delayMs(), TimeUnit.MILLISECONDS);
            } else {
                restartNow(restart.app());
            }
        }
    }

    private void restartNow(String app) {
        if (!supervisor.start(app)) {
            LOG.infof("%s is already running; nothing to restart", app);
        }
    }

    /** The supervisor, for tests and health checks. */
    public ApplicationSupervisor supervisor() {
        return supervisor;
    }
}
