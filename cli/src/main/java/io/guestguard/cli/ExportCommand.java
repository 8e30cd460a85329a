package io.guestguard.cli;

import io.guestguard.protocol.EventCodec;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code guestguard export}: writes the guest log and the decisions to a JSON Lines file that
 * {@code guestguard replay --input} reads, so a decision can be explained away from the cluster.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes the guest log's facts and the audit log's decisions to a file, one CloudEvent per line, for 'replay --input'.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "The file to write.")
    Path out;

    @Option(names = "--guest", paramLabel = "ID", description = "Export only this guest.")
    String guest;

    @Override
    public Integer call() throws IOException {
        EventCodec codec = new EventCodec();
        BrokerLog log = new BrokerLog(kafka.bootstrapServers, kafka.topics(), guest, kafka.timeout);
        long[] lines = new long[1];
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            log.facts(logged -> write(writer, codec.encode(logged.event()), lines));
            for (var decision : log.decisions().values().stream().sorted(java.util.Comparator.comparing(d -> d.id())).toList()) {
                write(writer, codec.encode(decision), lines);
            }
        } catch (KafkaException e) {
            spec.commandLine().getErr().println("cannot read the log from " + kafka.bootstrapServers + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
        spec.commandLine().getOut().printf("exported %d events to %s%n", lines[0], out);
        return ExitCodes.OK;
    }

    private static void write(BufferedWriter writer, byte[] json, long[] lines) {
        try {
            writer.write(new String(json, StandardCharsets.UTF_8));
            writer.newLine();
            lines[0]++;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
