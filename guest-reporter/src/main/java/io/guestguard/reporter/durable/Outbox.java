package io.guestguard.reporter.durable;

import io.guestguard.agent.RecordLog;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * The guest's facts on local disk, from before they are sent to Kafka until Kafka acknowledged them,
 * so a fact that happens while the broker is unreachable, or just before the reporter or the guest
 * crashes, is still delivered later. Each fact gets the guest's next sequence number ({@code guestseq})
 * here, so numbering survives restarts and consumers can drop resent duplicates by seq and see gaps.
 *
 * <p>File {@code outbox.log} in the directory, a {@link RecordLog} of:
 * <ul>
 *   <li>{@code FACT} (1): seq, payload = one flags byte (bit 0: keep on overflow) + the encoded fact;</li>
 *   <li>{@code ACK} (2): every fact up to seq is in Kafka (not forced: a lost ACK only causes a resend);</li>
 *   <li>{@code DROP} (3): fact seq was given up to keep the outbox bounded;</li>
 *   <li>{@code SEQ} (4): the highest seq ever assigned, first in a compacted file so numbers are never reused.</li>
 * </ul>
 * A rewrite (compaction) keeps {@code SEQ}, {@code ACK} of the last acknowledged seq, and the pending facts.
 *
 * <p>Bounded: holding {@code maxFacts} unacknowledged facts, the next append drops the oldest fact
 * not marked keep-on-overflow, and when every one is marked (failures), the oldest of those; each
 * drop is logged at ERROR. The fact being appended counts too: when every held fact is a failure
 * and the new one is not, the new one is dropped. Thread-safe. One process at a time: the directory
 * is locked ({@code outbox.lock}).
 *
 * <p>Damage: a record cut short at the end (a crash mid-write) is removed and its seq given again,
 * since its append never returned. A complete record that fails its checksum is removed with all
 * that follows, and numbering skips past it and past any intact record found behind it, since such
 * a fact may have been sent: a reused seq would make consumers drop a new fact as a duplicate,
 * while a gap is visible.
 */
public final class Outbox implements AutoCloseable {

    /** One unacknowledged fact; {@code payload} is shared, not copied: do not modify it. */
    public record Entry(long seq, byte[] payload, boolean keepOnOverflow) {
    }

    /** Compact when the file is larger than this and more than twice its live content. */
    public static final long DEFAULT_COMPACT_BYTES = 1024 * 1024;
    static final String FILE = "outbox.log";
    static final byte FACT = 1;
    static final byte ACK = 2;
    static final byte DROP = 3;
    static final byte SEQ = 4;
    private static final byte KEEP = 1;
    private static final Logger LOG = Logger.getLogger(Outbox.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<Long, Entry> pending = new TreeMap<>();
    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private final int maxFacts;
    private final long compactBytes;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private RecordLog log;
    private long lastSeq;
    private long lastAcknowledged;
    private long liveBytes;
    private long dropped;
    private boolean closed;

    private Outbox(int maxFacts, long compactBytes, FileChannel lockChannel, FileLock dirLock) {
        this.maxFacts = maxFacts;
        this.compactBytes = compactBytes;
        this.lockChannel = lockChannel;
        this.dirLock = dirLock;
    }

    /** {@link #open(Path, int, boolean, long)} compacting past {@link #DEFAULT_COMPACT_BYTES}. */
    public static Outbox open(Path dir, int maxFacts, boolean fsync) {
        return open(dir, maxFacts, fsync, DEFAULT_COMPACT_BYTES);
    }

    /**
     * Opens the outbox in {@code dir} (created if needed) and recovers its unacknowledged facts and
     * its sequence number.
     *
     * @param maxFacts how many unacknowledged facts it holds at most
     * @param fsync whether each append is forced to disk before it returns (survives power loss)
     * @param compactBytes file size above which it is rewritten without what was acknowledged
     * @throws IllegalStateException if another outbox has the directory open
     */
    public static Outbox open(Path dir, int maxFacts, boolean fsync, long compactBytes) {
        if (maxFacts < 1) {
            throw new IllegalArgumentException("maxFacts must be at least 1, not " + maxFacts);
        }
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve("outbox.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock dirLock = tryLock(lockChannel);
            if (dirLock == null) {
                throw new IllegalStateException("outbox " + dir + " is open in another process or outbox");
            }
            Outbox outbox = new Outbox(maxFacts, compactBytes, lockChannel, dirLock);
            outbox.recover(dir.resolve(FILE), fsync);
            return outbox;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UncheckedIOException("cannot open outbox " + dir, e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private void recover(Path file, boolean fsync) {
        log = RecordLog.open(file, fsync, this::replay);
        RecordLog.Recovery recovery = log.recovery();
        if (recovery.cut() && !recovery.torn()) {
            // A complete record was damaged: it may have been a fact whose seq was already sent.
            // Skip past it rather than risk giving its seq to another fact, which consumers would
            // take for a duplicate and drop.
            long skipTo = Math.max(lastSeq + 1, recovery.highestSeqBeyondCut());
            LOG.warn(String.format("%s: facts after seq %d may be lost; numbering continues at %d",
                    file, lastSeq, skipTo + 1));
            lastSeq = skipTo;
        }
        lock.lock();
        try {
            if (recovery.cut() && !recovery.torn()) {
                log.append(SEQ, lastSeq, new byte[0]); // the skip must survive the next restart too
            }
            while (pending.size() > maxFacts) {
                dropOne();
            }
            log.force();
        } finally {
            lock.unlock();
        }
        if (!pending.isEmpty()) {
            LOG.infof("outbox %s: %d unacknowledged facts (seq %d to %d) to send; next seq %d",
                    file, pending.size(), pending.firstKey(), pending.lastKey(), lastSeq + 1);
        }
    }

    private void replay(RecordLog.Entry record) {
        switch (record.type()) {
            case FACT -> {
                boolean keep = record.payload().length > 0 && (record.payload()[0] & KEEP) != 0;
                byte[] payload = java.util.Arrays.copyOfRange(record.payload(), 1, record.payload().length);
                if (record.seq() > lastAcknowledged) {
                    hold(new Entry(record.seq(), payload, keep));
                }
            }
            case ACK -> acknowledged(record.seq());
            case DROP -> release(record.seq());
            case SEQ -> { }
            default -> throw new IllegalStateException(log == null ? "unknown record type " + record.type()
                    : log.file() + ": unknown record type " + record.type() + " (written by a newer reporter?)");
        }
        lastSeq = Math.max(lastSeq, record.seq());
    }

    /**
     * Assigns the next seq, asks {@code encode} for the fact carrying it, and stores the fact (forced
     * to disk if so opened) before returning the seq. If {@code encode} throws, the seq is not used.
     *
     * @param keepOnOverflow whether to prefer keeping this fact when the outbox is full (failures)
     */
    public long append(boolean keepOnOverflow, LongFunction<byte[]> encode) {
        long seq;
        lock.lock();
        try {
            checkOpen();
            seq = lastSeq + 1;
            byte[] payload = encode.apply(seq);
            byte[] record = new byte[payload.length + 1];
            record[0] = keepOnOverflow ? KEEP : 0;
            System.arraycopy(payload, 0, record, 1, payload.length);
            log.append(FACT, seq, record);
            lastSeq = seq;
            hold(new Entry(seq, payload, keepOnOverflow));
            if (pending.size() > maxFacts) {
                dropOne();
            }
            log.force();
            compactIfWorthIt();
        } finally {
            lock.unlock();
        }
        appendListeners.forEach(Runnable::run);
        return seq;
    }

    /** Records that Kafka has every fact up to {@code seq}; they are no longer pending. */
    public void acknowledge(long seq) {
        lock.lock();
        try {
            checkOpen();
            if (seq <= lastAcknowledged) {
                return;
            }
            if (seq > lastSeq) {
                throw new IllegalArgumentException("acknowledged seq " + seq + " was never assigned (last is " + lastSeq + ")");
            }
            log.append(ACK, seq, new byte[0]);
            acknowledged(seq);
            compactIfWorthIt();
        } finally {
            lock.unlock();
        }
    }

    /** The unacknowledged facts, in seq order. */
    public List<Entry> pending() {
        return pendingAfter(0);
    }

    /** The unacknowledged facts with a seq above {@code seq}, in seq order. */
    public List<Entry> pendingAfter(long seq) {
        lock.lock();
        try {
            return new ArrayList<>(pending.tailMap(seq, false).values());
        } finally {
            lock.unlock();
        }
    }

    /** The seq the next {@link #append} will assign. */
    public long nextSeq() {
        lock.lock();
        try {
            return lastSeq + 1;
        } finally {
            lock.unlock();
        }
    }

    public long lastAcknowledged() {
        lock.lock();
        try {
            return lastAcknowledged;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest unacknowledged fact, if any. */
    public java.util.Optional<Entry> oldestPending() {
        lock.lock();
        try {
            return pending.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(pending.firstEntry().getValue());
        } finally {
            lock.unlock();
        }
    }

    /** How many facts are unacknowledged. */
    public int size() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many facts this outbox dropped since it was opened because it was full. */
    public long droppedCount() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** The file's current size in bytes. */
    public long fileBytes() {
        lock.lock();
        try {
            return log.size();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code listener} after every append, outside the outbox's lock (a sender's wake-up). */
    public void addAppendListener(Runnable listener) {
        appendListeners.add(listener);
    }

    public void removeAppendListener(Runnable listener) {
        appendListeners.remove(listener);
    }

    /** Closes the file and releases the directory; further calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            log.force();
            log.close();
        } finally {
            lock.unlock();
            try {
                dirLock.release();
            } catch (IOException e) {
                LOG.debugf("cannot release outbox lock: %s", e.getMessage());
            }
            closeQuietly(lockChannel);
        }
    }

    private void hold(Entry entry) {
        pending.put(entry.seq(), entry);
        liveBytes += recordBytes(entry);
    }

    private void release(long seq) {
        Entry entry = pending.remove(seq);
        if (entry != null) {
            liveBytes -= recordBytes(entry);
        }
    }

    private void acknowledged(long seq) {
        lastAcknowledged = Math.max(lastAcknowledged, seq);
        Map<Long, Entry> done = pending.headMap(seq, true);
        done.values().forEach(e -> liveBytes -= recordBytes(e));
        done.clear();
    }

    /** Gives up the oldest fact not kept on overflow, or else the oldest of all. */
    private void dropOne() {
        Entry victim = pending.values().stream().filter(e -> !e.keepOnOverflow()).findFirst()
                .orElseGet(() -> pending.firstEntry().getValue());
        log.append(DROP, victim.seq(), new byte[0]);
        release(victim.seq());
        dropped++;
        LOG.error(String.format("outbox full (%d facts): dropped fact seq %d (%s, %d dropped since start, "
                        + "oldest unacknowledged seq %d); raise outbox.max_facts or restore the broker connection",
                maxFacts, victim.seq(), victim.keepOnOverflow() ? "no fact left that may be dropped first" : "may be dropped first",
                dropped, pending.isEmpty() ? victim.seq() : pending.firstKey()));
    }

    /**
     * Rewrites the file once it is both above the threshold and mostly dead records, so the work is
     * proportional to what was appended since the last rewrite. A failed rewrite leaves the old
     * file in use.
     */
    private void compactIfWorthIt() {
        long size = log.size();
        if (size <= compactBytes || size <= 2 * (liveBytes + 2L * (RecordLog.HEADER + RecordLog.MIN_BODY))) {
            return;
        }
        List<RecordLog.Entry> entries = new ArrayList<>(pending.size() + 2);
        entries.add(new RecordLog.Entry(SEQ, lastSeq, new byte[0]));
        entries.add(new RecordLog.Entry(ACK, lastAcknowledged, new byte[0]));
        for (Entry entry : pending.values()) {
            byte[] record = new byte[entry.payload().length + 1];
            record[0] = entry.keepOnOverflow() ? KEEP : 0;
            System.arraycopy(entry.payload(), 0, record, 1, entry.payload().length);
            entries.add(new RecordLog.Entry(FACT, entry.seq(), record));
        }
        try {
            log.rewrite(entries);
            LOG.debugf("outbox %s compacted from %d to %d bytes", log.file(), size, log.size());
        } catch (UncheckedIOException e) {
            LOG.warnf(e, "outbox %s: compaction failed; still appending to the uncompacted file", log.file());
        }
    }

    private static long recordBytes(Entry entry) {
        return RecordLog.HEADER + RecordLog.MIN_BODY + 1 + entry.payload().length;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("outbox " + log.file() + " is closed");
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }
}
