package io.guestguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code guestguard}, the operator's command line, in the spirit of Serviceguard's {@code cm*}
 * commands. Each subcommand is its own class; those that talk to Kafka share {@link KafkaOptions}.
 */
@Command(name = "guestguard", mixinStandardHelpOptions = true, versionProvider = GuestGuardCommand.Version.class,
        subcommands = {CheckCommand.class, ApplyCommand.class, GuestPackageCommand.class, AppCommand.class, HostCommand.class, StatusCommand.class, WhyCommand.class, ReplayCommand.class, ExportCommand.class, TopicsCommand.class, KeysCommand.class, AclsCommand.class, CommandLine.HelpCommand.class},
        description = "Operates GuestGuard guest packages: check a package file (as cmcheckconf), apply it (as cmapplyconf), halt, run, move or migrate a guest package (as cmhaltpkg, cmrunpkg, cmmodpkg), stop or start an application (as cmhaltserv, cmrunserv), halt, detach or run a host (as cmhaltnode, cmhaltnode -d, cmrunnode), show the fleet's status (as cmviewcl -v) and explain a guest's decisions (why), replay the log to explain and verify decisions, create and check GuestGuard's topics on a cluster, manage the signing keys, print the fleet's least-privilege Kafka ACLs.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the package file or scenario folder is invalid or unreadable; every problem is listed (status: the fleet is degraded)",
                "2:Kafka could not be reached, lacks the topic, or did not acknowledge in time (status: also a guest runs nowhere)",
                "3:replay --verify or --scenario found a difference",
                "4:topics check found a topic missing or not as GuestGuard needs it",
                "5:host halt|detach|run found no guest placed on the host or listing it",
                "64:wrong command line", "70:unexpected error (a bug)"})
public final class GuestGuardCommand implements Runnable {

    /**
     * The Kafka client logs through SLF4J into java.util.logging here; at INFO it prints its whole
     * configuration on every run. Warnings stay, except the network client's: while a broker is
     * down it warns on every reconnect, and the command reports that outcome itself. Held
     * strongly: java.util.logging forgets levels of loggers nobody references.
     */
    private static final List<Logger> KAFKA_LOGGERS = List.of(Logger.getLogger("org.apache.kafka"),
            Logger.getLogger("org.apache.kafka.clients.NetworkClient"));

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // One line per log record, set before anything logs.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
        KAFKA_LOGGERS.get(0).setLevel(Level.WARNING);
        KAFKA_LOGGERS.get(1).setLevel(Level.SEVERE);
        System.exit(new CommandLine(new GuestGuardCommand()).execute(args));
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: name one of check, apply, guest, app, replay, export, topics, acls (or help)");
    }

    /** The version Maven wrote into the jar's manifest; none when run from classes (tests, IDE). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = GuestGuardCommand.class.getPackage().getImplementationVersion();
            return new String[] {"guestguard " + (version != null ? version : "(development build)")};
        }
    }
}
