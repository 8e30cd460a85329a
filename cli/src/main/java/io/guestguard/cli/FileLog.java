package io.guestguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FreeText;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.history.LoggedEvent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * An exported log: one CloudEvent per line (JSON Lines), facts and decisions mixed, each guest's
 * facts in log order (what {@code guestguard export} writes). Each fact carries its decision time
 * (its record's timestamp on the broker) in the extension attribute {@value #RECORD_TIME}; a line
 * without it (an export written before it was kept) takes the fact's own time, as the engine of that
 * time decided, with one warning. Lines that are not GuestGuard events stop the replay with the line
 * number: an export is not supposed to hold any.
 */
final class FileLog implements EventLog {

    /** The extension attribute holding a record's timestamp on the broker, RFC 3339. */
    static final String RECORD_TIME = "recordtime";

    private final Path file;
    private final String guest;
    private final Consumer<String> warnings;
    private final EventCodec codec = new EventCodec();
    private boolean warned;

    /**
     * @param warnings where a warning about the file goes (once per file: a line without its decision time)
     */
    FileLog(Path file, String guest, Consumer<String> warnings) {
        this.file = file;
        this.guest = guest;
        this.warnings = warnings;
    }

    @Override
    public void facts(Consumer<LoggedEvent> sink) {
        each(logged -> {
            if (logged.event().data() instanceof Fact) {
                sink.accept(logged);
            }
        });
    }

    @Override
    public Map<String, CloudEvent<Decision>> decisions() {
        Map<String, CloudEvent<Decision>> decisions = new HashMap<>();
        each(logged -> EventLog.keepDecision(decisions, logged));
        return decisions;
    }

    @Override
    public OptionalLong size() {
        return OptionalLong.empty();
    }

    private void each(Consumer<LoggedEvent> sink) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long line = 0;
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                CloudEvent<?> event;
                try {
                    event = codec.decode(bytes);
                } catch (RejectedRecordException e) {
                    throw new IllegalArgumentException(file + ":" + line + ": " + e.reason()
                            + "; an export holds one GuestGuard CloudEvent per line", e);
                }
                if (guest == null || guest.equals(event.guestId())) {
                    sink.accept(new LoggedEvent(event, file + ":" + line, line, decisionTime(bytes, event, line)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read", e);
        }
    }

    /** The line's {@value #RECORD_TIME}, or, with one warning per file, the event's own time. */
    private Instant decisionTime(byte[] line, CloudEvent<?> event, long number) throws IOException {
        JsonNode recorded = codec.mapper().readTree(line).get(RECORD_TIME);
        if (recorded == null || recorded.isNull()) {
            if (!warned && event.data() instanceof Fact) {
                warned = true;
                warnings.accept("warning: " + file + ":" + number + " has no " + RECORD_TIME + " (an export written "
                        + "before decision times were kept): facts without one are replayed at their own time, "
                        + "as the engine of that version decided them");
            }
            return event.time();
        }
        try {
            return OffsetDateTime.parse(recorded.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(file + ":" + number + ": " + RECORD_TIME + " "
                    + FreeText.quote(recorded.asText()) + " is not an RFC 3339 time, e.g. 2026-11-26T12:00:00.123Z", e);
        }
    }
}
