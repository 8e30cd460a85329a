package io.guestguard.cli;

import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestAction;
import io.guestguard.protocol.OperatorRequest;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code guestguard guest halt|run|move|migrate|disable-switching|enable-switching --guest G [--to H]}:
 * Serviceguard's {@code cmhaltpkg}, {@code cmrunpkg} and {@code cmmodpkg} (a move, switching disabled or
 * enabled), plus a live migration. The request is an
 * {@code operator.request} fact on the guest log, not a command to a host: the decider reads it in
 * order with the guest's other facts and decides what follows (or holds, or alerts, and says why),
 * live and in replay alike.
 */
@Command(name = "guest", mixinStandardHelpOptions = true,
        description = "Halts, runs, moves or live-migrates a guest package, or disables or enables its switching, as cmhaltpkg, cmrunpkg and cmmodpkg (-d, -e): writes an operator.request fact to the guest log and waits for Kafka's acknowledgement. The policy engine decides what follows.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:sent", "2:Kafka could not be reached, lacks the topic, or did not acknowledge in time",
                "64:wrong command line"})
final class GuestPackageCommand implements Callable<Integer> {

    /** What the operator asks for, in the command line's words; each is one {@link GuestAction}. */
    enum Action {
        /** Halt the guest where it runs; it stays down until run again. */
        halt(GuestAction.HALT),
        /** Start a guest that is down: on {@code --to}, else on the first eligible host. */
        run(GuestAction.RUN),
        /** Halt the guest, then start it on {@code --to}. */
        move(GuestAction.MOVE),
        /** Live-migrate the running guest to {@code --to}; its restart budgets go with it. */
        migrate(GuestAction.MIGRATE),
        /** Disable switching ({@code cmmodpkg -d}): nothing fails the guest over until it is enabled again. */
        disable_switching(GuestAction.DISABLE_SWITCHING),
        /** Enable switching again ({@code cmmodpkg -e}): a failover it held is carried out now. */
        enable_switching(GuestAction.ENABLE_SWITCHING);

        final GuestAction request;

        Action(GuestAction request) {
            this.request = request;
        }

        /** As typed: {@code disable-switching}. */
        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    /** Reads an action as typed, with its hyphen. */
    static final class ActionName implements picocli.CommandLine.ITypeConverter<Action> {
        @Override
        public Action convert(String value) {
            try {
                return Action.valueOf(value.replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                        + "' is not an action; use halt, run, move, migrate, disable-switching or enable-switching");
            }
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", converter = ActionName.class,
            description = "halt, run, move, migrate, disable-switching or enable-switching (cmmodpkg -d, -e).")
    Action action;

    @Option(names = {"-g", "--guest"}, required = true, paramLabel = "GUEST", description = "The guest package.")
    String guest;

    @Option(names = {"--to"}, paramLabel = "HOST",
            description = "The host: required for move and migrate, optional for run (the first eligible host when left out), not for halt.")
    String to;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    SigningOptions signing;

    @Override
    public Integer call() {
        if (to == null && action.request.target() == GuestAction.Target.REQUIRED) {
            throw new ParameterException(spec.commandLine(), "guest " + action + " needs --to HOST: the host to "
                    + action + " " + guest + " to");
        }
        if (to != null && action.request.target() == GuestAction.Target.NONE) {
            throw new ParameterException(spec.commandLine(), "guest " + action + " takes no --to"
                    + (action == Action.halt ? ": a guest is halted where it runs" : ""));
        }
        String user = signing.operator();
        OperatorRequest request;
        try {
            request = action.request.request(to, user);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "guest " + action + " " + guest + ": " + e.getMessage());
        }
        try (OperatorLog log = kafka.openGuestLog(signing.signer(new EventCodec()))) {
            RecordMetadata written = log.tell(guest, request, user).where();
            spec.commandLine().getOut().printf("asked to %s guest %s%s (%s partition %d, offset %d)%n", action, guest,
                    to == null ? "" : " to " + to, written.topic(), written.partition(), written.offset());
            return ExitCodes.OK;
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("guest " + action + " " + guest + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
    }
}
