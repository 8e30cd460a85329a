package io.guestguard.agent;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * An append-only file of framed, checksummed records: the storage under the guest reporter's outbox
 * and {@link CommandJournal}. One record is
 * <pre>
 *   int  length   bytes after this 8-byte header (1 + 8 + payload length)
 *   int  crc32    of those bytes
 *   byte type
 *   long seq
 *   byte[] payload
 * </pre>
 * big-endian. Opening replays every intact record and cuts the file at the first record that is
 * short or fails its checksum: a crash can leave half a record at the end, and a bad disk can garble
 * one; what comes before it is kept, and the cut is logged. {@link #rewrite} replaces the whole file
 * atomically (compaction). Not thread-safe: its owner serialises access.
 */
public final class RecordLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RecordLog.class);
    public static final int HEADER = 8;
    /** type + seq: the smallest valid body. */
    public static final int MIN_BODY = 9;
    /** Far above any fact or command id; a larger length can only be garbage. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    /** One record as read back or to be written. */
    public record Entry(byte type, long seq, byte[] payload) {
        public int size() {
            return HEADER + MIN_BODY + payload.length;
        }
    }

    /**
     * What opening found at the end of the file.
     *
     * @param cutOffset where the file was cut, or -1 if it was intact
     * @param cutBytes how many bytes were cut
     * @param torn whether the cut was a record whose end is missing (an interrupted write, so it was
     *             never completely written) rather than a complete but damaged one
     * @param highestSeqBeyondCut the highest seq of intact records found in the cut bytes when
     *                            scanning them for salvage, or 0; their content is not replayed
     */
    public record Recovery(long cutOffset, long cutBytes, boolean torn, long highestSeqBeyondCut) {
        public boolean cut() {
            return cutOffset >= 0;
        }
    }

    private final Path file;
    private final boolean fsync;
    private FileChannel channel;
    private long size;
    private final Recovery recovery;

    private RecordLog(Path file, boolean fsync, FileChannel channel, long size, Recovery recovery) {
        this.file = file;
        this.fsync = fsync;
        this.channel = channel;
        this.size = size;
        this.recovery = recovery;
    }

    /**
     * Opens (creating if needed) {@code file}, hands each intact record to {@code replay} in file
     * order, and cuts the file after the last one. A leftover of an interrupted {@link #rewrite} is
     * deleted: the file it was meant to replace is still complete.
     *
     * @param fsync whether {@link #force()} really forces to disk
     */
    public static RecordLog open(Path file, boolean fsync, Consumer<Entry> replay) {
        try {
            Files.deleteIfExists(rewriteFile(file));
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                byte[] content = readAll(channel);
                long good = 0;
                boolean torn = false;
                while (good < content.length) {
                    long remaining = content.length - good;
                    if (remaining < HEADER) {
                        torn = true;
                        break;
                    }
                    ByteBuffer header = ByteBuffer.wrap(content, (int) good, HEADER);
                    int length = header.getInt();
                    int crc = header.getInt();
                    if (length < MIN_BODY || length > MAX_BODY) {
                        break;
                    }
                    if (length > remaining - HEADER) {
                        torn = true;
                        break;
                    }
                    if (crc(content, (int) good + HEADER, length) != crc) {
                        break;
                    }
                    replay.accept(decode(content, (int) good + HEADER, length));
                    good += HEADER + length;
                }
                Recovery recovery = new Recovery(-1, 0, false, 0);
                if (good < content.length) {
                    long cut = content.length - good;
                    long salvaged = torn ? 0 : highestIntactSeq(content, (int) good + 1);
                    recovery = new Recovery(good, cut, torn, salvaged);
                    LOG.warn(String.format("%s: %s record at byte offset %d; cut %d bytes there, kept the %d bytes before it",
                            file, torn ? "incomplete (torn)" : "corrupt", good, cut, good));
                    channel.truncate(good);
                    channel.force(true);
                }
                return new RecordLog(file, fsync, channel, good, recovery);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    public long size() {
        return size;
    }

    public Recovery recovery() {
        return recovery;
    }

    /** Appends one record (not yet forced). On a failed write the file is cut back to where it was. */
    public void append(byte type, long seq, byte[] payload) {
        ByteBuffer buffer = encode(new Entry(type, seq, payload));
        long start = size;
        try {
            while (buffer.hasRemaining()) {
                size += channel.write(buffer, size);
            }
        } catch (IOException e) {
            size = start;
            try {
                channel.truncate(start);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write to " + file, e);
        }
    }

    /** Forces appended records to disk, if this log was opened with fsync. */
    public void force() {
        if (fsync) {
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot force " + file + " to disk", e);
            }
        }
    }

    /**
     * Replaces the file's content with {@code entries}: written to a new file, forced, renamed over
     * the old one atomically, directory forced. A crash leaves either the old file or the new one,
     * each complete; a half-written new file is deleted by the next {@link #open}.
     */
    public void rewrite(List<Entry> entries) {
        Path next = rewriteFile(file);
        try {
            long written = 0;
            try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                for (Entry entry : entries) {
                    ByteBuffer buffer = encode(entry);
                    while (buffer.hasRemaining()) {
                        written += out.write(buffer);
                    }
                }
                out.force(true);
            }
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(file.toAbsolutePath().getParent());
            FileChannel old = channel;
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            size = written;
            old.close();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(next);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }

    static ByteBuffer encode(Entry entry) {
        int length = MIN_BODY + entry.payload().length;
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + length);
        buffer.putInt(length).putInt(0).put(entry.type()).putLong(entry.seq()).put(entry.payload());
        buffer.putInt(4, crc(buffer.array(), HEADER, length));
        return buffer.flip();
    }

    private static Entry decode(byte[] content, int offset, int length) {
        ByteBuffer body = ByteBuffer.wrap(content, offset, length);
        byte type = body.get();
        long seq = body.getLong();
        byte[] payload = new byte[length - MIN_BODY];
        body.get(payload);
        return new Entry(type, seq, payload);
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /**
     * Scans damaged bytes for records that are still intact (a bad sector in the middle of the file
     * does not destroy what follows it) and returns their highest seq, so their sequence numbers,
     * which may have been used already, are not used again.
     */
    private static long highestIntactSeq(byte[] content, int from) {
        long highest = 0;
        int position = from;
        while (position + HEADER + MIN_BODY <= content.length) {
            ByteBuffer header = ByteBuffer.wrap(content, position, HEADER);
            int length = header.getInt();
            int crc = header.getInt();
            if (length >= MIN_BODY && length <= content.length - position - HEADER
                    && crc(content, position + HEADER, length) == crc) {
                highest = Math.max(highest, ByteBuffer.wrap(content, position + HEADER + 1, 8).getLong());
                position += HEADER + length;
            } else {
                position++;
            }
        }
        return highest;
    }

    private static byte[] readAll(FileChannel channel) throws IOException {
        long length = channel.size();
        if (length > Integer.MAX_VALUE - 16) {
            throw new IOException("file too large to recover: " + length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // keep reading
        }
        return buffer.array();
    }

    private static Path rewriteFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".rewrite");
    }

    /** Makes a rename durable. Some platforms cannot open a directory; there it is best effort. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debugf("cannot force directory %s: %s", dir, e.getMessage());
        }
    }
}
