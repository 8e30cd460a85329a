package io.guestguard.agent;

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
 * The ids of the commands a receiver (a guest reporter, a host supervisor) has applied, on local
 * disk, so a command is applied once even across restarts, and the offset to resume reading its
 * command partition from, so commands sent while it was down are not skipped. A command is recorded
 * before it is applied. Two ways to use it:
 * <ul>
 *   <li>{@link #firstTime}: a crash between recording and applying loses that command's effect (at
 *       most once), which the receiver's start-up reconciliation makes good (the guest reporter);</li>
 *   <li>{@link #begin} keeps the command itself until {@link #done}: after a crash, {@link #pending}
 *       returns what was begun and not finished, for the receiver to finish (the host supervisor,
 *       whose commands must each end in a fact).</li>
 * </ul>
 *
 * <p>File {@code commands.log} in the directory, a {@link RecordLog} of {@code COMMAND} (1): seq =
 * the record's offset, payload = the command id in UTF-8; {@code OFFSET} (2): seq = the highest
 * offset recorded before a rewrite, or the offset before where a new receiver started reading; {@code BEGUN} (3): seq = offset, payload = the id, a newline and
 * the command's bytes; {@code DONE} (4): payload = the id. It remembers the last {@code capacity}
 * ids (and every unfinished command) and rewrites the file when it holds twice as many. Thread-safe.
 */
public final class CommandJournal implements AutoCloseable {

    public static final int DEFAULT_CAPACITY = 4096;
    static final String FILE = "commands.log";
    static final byte COMMAND = 1;
    static final byte OFFSET = 2;
    static final byte BEGUN = 3;
    static final byte DONE = 4;
    private static final Logger LOG = Logger.getLogger(CommandJournal.class);

    private final int capacity;
    private final Map<String, Long> ids;
    /** Begun and not done: id to the command's bytes, in the order begun. */
    private final Map<String, byte[]> unfinished = new LinkedHashMap<>();
    private RecordLog log;
    private long highestOffset = -1;
    /** Whether a position was recorded, so even an empty partition's offset 0 is where to resume. */
    private boolean positioned;
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
            case OFFSET -> positioned = true;
            case BEGUN -> {
                int newline = indexOf(record.payload(), (byte) '\n');
                String id = new String(record.payload(), 0, newline, StandardCharsets.UTF_8);
                ids.put(id, record.seq());
                unfinished.put(id, java.util.Arrays.copyOfRange(record.payload(), newline + 1, record.payload().length));
            }
            case DONE -> unfinished.remove(new String(record.payload(), StandardCharsets.UTF_8));
            default -> throw new IllegalStateException("unknown command journal record type " + record.type()
                    + " (written by a newer version?)");
        }
        highestOffset = Math.max(highestOffset, record.seq());
        records++;
    }

    /**
     * Whether this is the first time the command {@code commandId} is seen. If so it is recorded,
     * with the {@code offset} it was read at, and forced to disk before this returns true.
     */
    public synchronized boolean firstTime(String commandId, long offset) {
        return record(commandId, offset, COMMAND, commandId.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Like {@link #firstTime}, and keeps {@code command} (its bytes as read) among the
     * {@link #pending} ones until {@link #done} is called for it.
     */
    public synchronized boolean begin(String commandId, long offset, byte[] command) {
        if (commandId.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a command id cannot hold a newline: " + commandId);
        }
        if (!record(commandId, offset, BEGUN, begun(commandId, command))) {
            return false;
        }
        unfinished.put(commandId, command.clone());
        return true;
    }

    /** Marks a {@link #begin begun} command finished (its outcome reported), forced to disk. */
    public synchronized void done(String commandId) {
        if (unfinished.remove(commandId) != null) {
            log.append(DONE, 0, commandId.getBytes(StandardCharsets.UTF_8));
            log.force();
            records++;
        }
    }

    /** The commands begun and not done (left by a crash, or still under way), oldest first. */
    public synchronized List<byte[]> pending() {
        return unfinished.values().stream().map(byte[]::clone).toList();
    }

    private boolean record(String commandId, long offset, byte type, byte[] payload) {
        if (ids.containsKey(commandId) || unfinished.containsKey(commandId)) {
            LOG.debugf("command %s (offset %d) was already applied", commandId, offset);
            return false;
        }
        log.append(type, offset, payload);
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
        return highestOffset < 0 && !positioned ? OptionalLong.empty() : OptionalLong.of(highestOffset + 1);
    }

    /**
     * Records where a new receiver starts reading ({@code nextOffset}, the partition's end when it
     * first ran), so that after a restart it resumes there even if no command came meanwhile: the
     * commands sent while it was down are then read, not skipped.
     */
    public synchronized void markPosition(long nextOffset) {
        log.append(OFFSET, nextOffset - 1, new byte[0]);
        log.force();
        positioned = true;
        highestOffset = Math.max(highestOffset, nextOffset - 1);
        records++;
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
        ids.forEach((id, offset) -> {
            if (!unfinished.containsKey(id)) {
                entries.add(new RecordLog.Entry(COMMAND, offset, id.getBytes(StandardCharsets.UTF_8)));
            }
        });
        // Unfinished commands outlive the id capacity: they must be finished after a crash.
        unfinished.forEach((id, command) ->
                entries.add(new RecordLog.Entry(BEGUN, ids.getOrDefault(id, highestOffset), begun(id, command))));
        try {
            log.rewrite(entries);
            records = entries.size();
        } catch (UncheckedIOException e) {
            LOG.warnf(e, "command journal %s: compaction failed; still appending to the uncompacted file", log.file());
        }
    }

    /** A BEGUN record's payload: the id, a newline, the command. */
    private static byte[] begun(String commandId, byte[] command) {
        byte[] id = commandId.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[id.length + 1 + command.length];
        System.arraycopy(id, 0, payload, 0, id.length);
        payload[id.length] = '\n';
        System.arraycopy(command, 0, payload, id.length + 1, command.length);
        return payload;
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        throw new IllegalStateException("command journal record without the newline after its id");
    }
}
