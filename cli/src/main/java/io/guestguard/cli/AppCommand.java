package io.guestguard.cli;

import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.OperatorRequest;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code guestguard app stop|start --guest G APP}: Serviceguard's {@code cmhaltserv} and
 * {@code cmrunserv}. Like {@code guestguard guest halt}, the request is an {@code operator.request}
 * fact on the guest log, not a command: the decider reads it in order with the guest's other facts
 * and decides (a {@code STOP_APP} or {@code START_APP} decision and its command to the guest's
 * reporter, or an alert that says why not), live and in replay alike. A stop is reported as
 * {@code app.stopped}, not a failure, so nothing restarts the application, across reporter restarts
 * and failovers too, until it is started again.
 */
@Command(name = "app", mixinStandardHelpOptions = true,
        description = "Stops or starts one application in a guest, as cmhaltserv and cmrunserv: writes an operator.request fact to the guest log and waits for Kafka's acknowledgement. The policy engine decides what follows.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:sent", "2:Kafka could not be reached, lacks the topic, or did not acknowledge in time",
                "64:wrong command line"})
final class AppCommand implements Callable<Integer> {

    /** What the operator asks for; each maps to one {@link OperatorRequest.Action}. */
    enum Action {
        /** Stop the application; it stays stopped until started. */
        stop(OperatorRequest.Action.STOP_APP),
        /** Start the application again. */
        start(OperatorRequest.Action.START_APP);

        final OperatorRequest.Action request;

        Action(OperatorRequest.Action request) {
            this.request = request;
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "stop or start.")
    Action action;

    @Parameters(index = "1", paramLabel = "APP", description = "The application's name in the guest file.")
    String app;

    @Option(names = {"-g", "--guest"}, required = true, paramLabel = "GUEST", description = "The guest the application runs in.")
    String guest;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    SigningOptions signing;

    @Override
    public Integer call() {
        String user = signing.operator();
        OperatorRequest request = OperatorRequest.ofApp(action.request, app, user);
        try (OperatorLog log = kafka.openGuestLog(signing.signer(new EventCodec()))) {
            RecordMetadata written = log.tell(guest, request, user).where();
            spec.commandLine().getOut().printf("asked to %s %s in guest %s (%s partition %d, offset %d)%n",
                    action, app, guest, written.topic(), written.partition(), written.offset());
            return ExitCodes.OK;
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("app " + action + " " + app + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
    }
}
