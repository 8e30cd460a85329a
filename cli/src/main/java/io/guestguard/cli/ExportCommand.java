package io.guestguard.cli;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.history.LoggedEvent;
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
 * {@code guestguard replay --input} reads, so a decision can be explained away from the cluster. Each
 * fact carries its record's timestamp on the broker (its decision time) in the extension attribute
 * {@code recordtime}, so the replay of an export decides at the same times as the engine did.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
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
        BrokerLog log = new BrokerLog(kafka.settings(), kafka.topics(), guest, kafka.timeout);
        long[] lines = new long[1];
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            // Each fact with its decision time, the record timestamp the engine decided it by.
            log.facts(logged -> write(writer, json(codec, logged), lines));
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

    private static byte[] json(EventCodec codec, LoggedEvent logged) {
        try {
            return codec.mapper().writeValueAsBytes(codec.toJson(logged.event())
                    .put(FileLog.RECORD_TIME, logged.decisionTime().toString()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + logged.where(), e);
        }
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
