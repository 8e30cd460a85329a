package io.guestguard.reporter.durable;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The ids of the commands this guest has applied, on local disk, so a command is applied once even
 * across reporter restarts, and the offset to resume reading the guest's command partition from, so
 * commands sent while the reporter was down are not skipped. The reporter records a command before
 * applying it: a crash between the two loses that command's effect (at most once), which the
 * reporter's start-up reconciliation of its applications makes good.
 *
 * <p>File {@code commands.log} in the directory, a {@link RecordLog} of {@code COMMAND} (1): seq =
 * the record's offset, payload = the command id in UTF-8; and {@code OFFSET} (2): seq = the highest
 * offset recorded before a rewrite. It remembers the last {@code capacity} ids and rewrites the file
 * when it holds twice as many. Thread-safe.
 */
public final class CommandJournal implements AutoCloseable {

    public static final int DEFAULT_CAPACITY = 4096;
    static final String FILE = "commands.log";
    static final byte COMMAND = 1;
    static final byte OFFSET = 2;
    private static final Logger LOG = Logger.getLogger(CommandJournal.class);

    private final int capacity;
    private final Map<String, Long> ids;
    private RecordLog log;
    private long highestOffset = -1;
    private int records;

    private CommandJournal(int capacity) {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > CommandJournal.this.capacity;
            }
        };
    }

    /** Opens the journal in {@code dir} remembering {@link #DEFAULT_CAPACITY} ids. */
    public static CommandJournal open(Path dir) {
        return open(dir, DEFAULT_CAPACITY);
    }

    /** Opens (creating if needed) the journal in {@code dir}, remembering the last {@code capacity} ids. */
    public static CommandJournal open(Path dir, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        CommandJournal journal = new CommandJournal(capacity);
        journal.log = RecordLog.open(dir.resolve(FILE), true, journal::replay);
        return journal;
    }

    private void replay(RecordLog.Entry record) {
        switch (record.type()) {
            case COMMAND -> ids.put(new String(record.payload(), StandardCharsets.UTF_8), record.seq());
            case OFFSET -> { }
            default -> throw new IllegalStateException("unknown command journal record type " + record.type()
                    + " (written by a newer reporter?)");
        }
        highestOffset = Math.max(highestOffset, record.seq());
        records++;
    }

    /**
     * Whether this is the first time the command {@code commandId} is seen. If so it is recorded,
     * with the {@code offset} it was read at, and forced to disk before this returns true.
     */
    public synchronized boolean firstTime(String commandId, long offset) {
        if (ids.containsKey(commandId)) {
            LOG.debugf("command %s (offset %d) was already applied", commandId, offset);
            return false;
        }
        log.append(COMMAND, offset, commandId.getBytes(StandardCharsets.UTF_8));
        log.force();
        ids.put(commandId, offset);
        highestOffset = Math.max(highestOffset, offset);
        if (++records > 2 * capacity) {
            compact();
        }
        return true;
    }

    /** The offset after the highest one recorded: where to resume reading; empty for a new journal. */
    public synchronized OptionalLong resumeOffset() {
        return highestOffset < 0 ? OptionalLong.empty() : OptionalLong.of(highestOffset + 1);
    }

    /** How many command ids it remembers. */
    public synchronized int size() {
        return ids.size();
    }

    @Override
    public synchronized void close() {
        log.close();
    }

    private void compact() {
        List<RecordLog.Entry> entries = new ArrayList<>(ids.size() + 1);
        entries.add(new RecordLog.Entry(OFFSET, highestOffset, new byte[0]));
        ids.forEach((id, offset) -> entries.add(new RecordLog.Entry(COMMAND, offset, id.getBytes(StandardCharsets.UTF_8))));
        try {
            log.rewrite(entries);
            records = entries.size();
        } catch (UncheckedIOException e) {
            LOG.warnf(e, "command journal %s: compaction failed; still appending to the uncompacted file", log.file());
        }
    }
}
