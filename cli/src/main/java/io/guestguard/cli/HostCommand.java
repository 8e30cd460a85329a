package io.guestguard.cli;

import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Names;
import io.guestguard.protocol.OperatorRequest;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code guestguard host halt|detach|run HOST}: Serviceguard's {@code cmhaltnode}, its Live
 * Application Detach ({@code cmhaltnode -d}) and {@code cmrunnode}. A host has no log of its own: the
 * request is an {@code operator.request} fact on the guest log of every guest it concerns (placed on
 * the host, or whose package lists it), the guests placed there first, so that each guest's decider
 * reads it in order with the guest's other facts and decides for that guest (a live migration, a
 * hold, a failover carried out at last), live and in replay alike.
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Halts, detaches or runs a host, as cmhaltnode, cmhaltnode -d and cmrunnode: writes an operator.request fact to the guest log of every guest placed on the host or whose package lists it, and waits for Kafka's acknowledgements. The policy engine decides what follows for each guest.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:sent to every guest of the host", "5:no guest is placed on the host or lists it (a misspelt host?): nothing was sent",
                "2:Kafka could not be reached, lacks a topic, or did not acknowledge in time", "64:wrong command line"})
final class HostCommand implements Callable<Integer> {

    /** What the operator asks for; each maps to one {@link OperatorRequest.Action}. */
    enum Action {
        /** Move every guest off the host, by live migration first; the host then takes no new guest. */
        halt(OperatorRequest.Action.HOST_HALT, "its guests leave it, by live migration first, and it takes no new guest"),
        /** Leave the guests running untouched; neither fence the host nor move them until it runs again. */
        detach(OperatorRequest.Action.HOST_DETACH, "its guests keep running untouched; it is neither fenced nor left until it runs again"),
        /** Attach the host again and let it take guests. */
        run(OperatorRequest.Action.HOST_RUN, "it is attached and takes guests again");

        final OperatorRequest.Action request;
        final String meaning;

        Action(OperatorRequest.Action request, String meaning) {
            this.request = request;
            this.meaning = meaning;
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "halt, detach or run.")
    Action action;

    @Parameters(index = "1", paramLabel = "HOST", description = "The host, as the packages name it.")
    String host;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    SigningOptions signing;

    @Override
    public Integer call() {
        if (!Names.valid(host)) {
            throw new ParameterException(spec.commandLine(), "'" + host + "' is not a host name (" + Names.RULE + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String user = signing.operator();
        try (OperatorLog log = kafka.openGuestLog(signing.signer(new EventCodec()))) {
            GuestsOfHost guests;
            try {
                guests = GuestsOfHost.of(FleetTopics.placementsAndPackages(kafka.settings(), kafka.topics(), kafka.timeout), host);
            } catch (KafkaException e) {
                err.println("host " + action + " " + host + ": cannot read the placements and packages topics ("
                        + e.getMessage() + "); check that this user may read them");
                return ExitCodes.KAFKA_UNAVAILABLE;
            }
            if (guests.isEmpty()) {
                err.println("host " + action + " " + host + ": no guest is placed on " + host + " or lists it in its package;"
                        + " nothing was sent (check the host's name as the packages give it)");
                return ExitCodes.NO_GUEST;
            }
            List<String> told = new ArrayList<>();
            for (String guest : guests.placedThere()) {
                log.tell(guest, new OperatorRequest(action.request, host, user), user);
                told.add(guest + " (placed there)");
            }
            for (String guest : guests.listingIt()) {
                log.tell(guest, new OperatorRequest(action.request, host, user), user);
                told.add(guest);
            }
            out.printf("asked to %s host %s: %s. Told %d guest%s: %s%n", action, host, action.meaning, told.size(),
                    told.size() == 1 ? "" : "s", String.join(", ", told));
            return ExitCodes.OK;
        } catch (KafkaUnavailableException e) {
            err.println("host " + action + " " + host + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
    }

}
