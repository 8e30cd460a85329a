package io.guestguard.cli;

import io.guestguard.cli.OperatorWriter.KafkaUnavailableException;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestCommand;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StopApp;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code guestguard app stop|start --guest G APP}: Serviceguard's {@code cmhaltserv} and
 * {@code cmrunserv}. A stop is reported as {@code app.stopped}, not a failure, so nothing restarts
 * the application, across reporter restarts too, until it is started again.
 */
@Command(name = "app", mixinStandardHelpOptions = true,
        description = "Stops or starts one application in a guest: sends the command to the guest's reporter and waits for Kafka's acknowledgement.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:sent", "2:Kafka could not be reached, lacks the topic, or did not acknowledge in time",
                "64:wrong command line"})
final class AppCommand implements Callable<Integer> {

    enum Action { stop, start }

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

    @Override
    public Integer call() {
        String requestId = "operator-" + UUID.randomUUID();
        GuestCommand command = action == Action.stop ? new StopApp(app, requestId) : new StartApp(app, requestId);
        CloudEvent<GuestCommand> event = CloudEvent.ofGuest(requestId, ApplyCommand.operatorSource(), Instant.now(),
                guest, command);
        try (OperatorWriter commands = OperatorWriter.open(kafka, new EventCodec(), kafka.topics().guestCommands())) {
            RecordMetadata written = commands.append(event);
            spec.commandLine().getOut().printf("sent %s %s to guest %s (%s partition %d, offset %d)%n",
                    action, app, guest, written.topic(), written.partition(), written.offset());
            return ExitCodes.OK;
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("app " + action + " " + app + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
    }
}
