package io.guestguard.cli;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RejectedRecordException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * An exported log: one CloudEvent per line (JSON Lines), facts and decisions mixed, each guest's
 * facts in log order (what {@code guestguard export} writes). Lines that are not GuestGuard events
 * stop the replay with the line number: an export is not supposed to hold any.
 */
final class FileLog implements EventLog {

    private final Path file;
    private final String guest;
    private final EventCodec codec = new EventCodec();

    FileLog(Path file, String guest) {
        this.file = file;
        this.guest = guest;
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
                CloudEvent<?> event;
                try {
                    event = codec.decode(text.getBytes(StandardCharsets.UTF_8));
                } catch (RejectedRecordException e) {
                    throw new IllegalArgumentException(file + ":" + line + ": " + e.reason()
                            + "; an export holds one GuestGuard CloudEvent per line", e);
                }
                if (guest == null || guest.equals(event.guestId())) {
                    sink.accept(new LoggedEvent(event, file + ":" + line, line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read", e);
        }
    }
}
