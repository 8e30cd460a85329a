package io.guestguard.cli;

import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code guestguard apply -f FILE}: Serviceguard's {@code cmapplyconf}. The package becomes a
 * {@code package.applied} fact on the guest log rather than a write to some configuration store,
 * so the decider sees it in order with the guest's other facts, live and in replay.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Validates a package file and applies it, as cmapplyconf: writes a package.applied fact to the guest log and waits for Kafka's acknowledgement.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:applied", "1:the file is invalid or unreadable; nothing was sent",
                "2:Kafka could not be reached, lacks the topic, or did not acknowledge in time",
                "64:wrong command line"})
final class ApplyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The package's YAML file.")
    Path file;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    SigningOptions signing;

    @Override
    public Integer call() {
        PackageSpec pkg;
        try {
            pkg = new PackageFileLoader().load(file);
        } catch (InvalidPackageException e) {
            e.problems().forEach(spec.commandLine().getErr()::println);
            return ExitCodes.INVALID_PACKAGE;
        }
        try (OperatorLog log = kafka.openGuestLog(signing.signer(new EventCodec()))) {
            RecordMetadata written = log.tell(pkg.guest(), new PackageApplied(pkg), signing.operator()).where();
            spec.commandLine().getOut().printf("applied package %s to %s (partition %d, offset %d)%n",
                    pkg.guest(), written.topic(), written.partition(), written.offset());
            return ExitCodes.OK;
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("apply " + file + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
    }
}
