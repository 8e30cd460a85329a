package io.guestguard.reporter.durable;

import io.guestguard.agent.FileDamage;
import io.guestguard.agent.LogCapture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The outbox on real files: numbering, acknowledgement, damaged files, the bound and compaction. */
class OutboxTest {

    @TempDir
    Path dir;
    private Outbox outbox;
    private final LogCapture logs = new LogCapture("io.guestguard");

    @AfterEach
    void closeAll() {
        if (outbox != null) {
            outbox.close();
        }
        logs.close();
    }

    @Test
    void seqStartsAtOneGoesIntoTheFactAndContinuesAfterReopen() {
        outbox = Outbox.open(dir, 100, true);
        assertThat(outbox.nextSeq()).isEqualTo(1);
        List<Long> encoded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long seq = outbox.append(i == 1, s -> {
                encoded.add(s);
                return fact(s);
            });
            assertThat(seq).isEqualTo(i + 1);
        }
        assertThat(encoded).containsExactly(1L, 2L, 3L);

        reopen(100);

        assertThat(outbox.nextSeq()).isEqualTo(4);
        assertThat(outbox.pending()).extracting(Outbox.Entry::seq).containsExactly(1L, 2L, 3L);
        assertThat(outbox.pending()).extracting(Outbox.Entry::keepOnOverflow).containsExactly(false, true, false);
        assertThat(outbox.pending()).allSatisfy(e -> assertThat(text(e)).isEqualTo("fact " + e.seq()));
        assertThat(append(outbox)).isEqualTo(4);
    }

    @Test
    void acknowledgedFactsAreNotPendingAfterReopenAndTheirSeqsAreNotReused() {
        outbox = Outbox.open(dir, 100, true);
        appendFacts(5);
        outbox.acknowledge(3);
        assertThat(seqs(outbox.pending())).containsExactly(4L, 5L);

        reopen(100);
        assertThat(seqs(outbox.pending())).containsExactly(4L, 5L);
        assertThat(outbox.lastAcknowledged()).isEqualTo(3);
        outbox.acknowledge(2); // late, out-of-date acknowledgement: no effect
        assertThat(outbox.size()).isEqualTo(2);
        assertThat(outbox.pendingAfter(4)).extracting(Outbox.Entry::seq).containsExactly(5L);

        outbox.acknowledge(5);
        reopen(100);
        assertThat(outbox.pending()).isEmpty();
        assertThat(outbox.nextSeq()).as("nothing pending, numbering still continues").isEqualTo(6);
        assertThatThrownBy(() -> outbox.acknowledge(9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRecordTornMidWriteIsCutAndItsSeqIsGivenAgain() throws IOException {
        outbox = Outbox.open(dir, 100, true);
        appendFacts(2);
        long intact = outbox.fileBytes();
        append(outbox);
        long full = outbox.fileBytes();
        outbox.close();
        FileDamage.truncate(file(), intact + 11); // the header and part of the body of fact 3 reached the disk

        reopen(100);

        assertThat(seqs(outbox.pending())).containsExactly(1L, 2L);
        assertThat(outbox.pending()).allSatisfy(e -> assertThat(text(e)).isEqualTo("fact " + e.seq()));
        assertThat(Files.size(file())).isEqualTo(intact);
        assertThat(outbox.nextSeq()).as("the torn append never returned, so seq 3 was never used").isEqualTo(3);
        assertThat(logs.messages(Level.WARNING)).containsExactly(
                file() + ": incomplete (torn) record at byte offset " + intact + "; cut 11 bytes there, kept the "
                        + intact + " bytes before it");
        assertThat(full - intact).isGreaterThan(11);
    }

    @Test
    void aByteFlippedInsideTheLastRecordCutsItAndItsSeqIsNeverGivenAgain() throws IOException {
        outbox = Outbox.open(dir, 100, true);
        appendFacts(2);
        long intact = outbox.fileBytes();
        append(outbox);
        long full = outbox.fileBytes();
        outbox.close();
        FileDamage.flipByte(file(), full - 2); // inside fact 3's payload

        reopen(100);

        assertThat(seqs(outbox.pending())).containsExactly(1L, 2L);
        assertThat(outbox.nextSeq()).as("fact 3 was complete, so it may have been sent: 3 is skipped").isEqualTo(4);
        assertThat(logs.messages(Level.WARNING)).containsExactly(
                file() + ": corrupt record at byte offset " + intact + "; cut " + (full - intact)
                        + " bytes there, kept the " + intact + " bytes before it",
                file() + ": facts after seq 2 may be lost; numbering continues at 4");

        reopen(100);
        assertThat(outbox.nextSeq()).as("the skip survives another restart").isEqualTo(4);
        assertThat(seqs(outbox.pending())).containsExactly(1L, 2L);
    }

    @Test
    void garbageAfterTheLastRecordIsCutAndTheRecordsBeforeItKept() throws IOException {
        outbox = Outbox.open(dir, 100, true);
        appendFacts(2);
        long intact = outbox.fileBytes();
        outbox.close();
        byte[] garbage = new byte[40];
        Arrays.fill(garbage, (byte) 0xA5);
        Files.write(file(), garbage, StandardOpenOption.APPEND);

        reopen(100);

        assertThat(seqs(outbox.pending())).containsExactly(1L, 2L);
        assertThat(outbox.pending()).allSatisfy(e -> assertThat(text(e)).isEqualTo("fact " + e.seq()));
        assertThat(logs.messages(Level.WARNING)).first().isEqualTo(
                file() + ": corrupt record at byte offset " + intact + "; cut 40 bytes there, kept the " + intact
                        + " bytes before it");
        // Garbage cannot be told from a damaged fact, so it is treated as one: seq 3 is not used.
        assertThat(outbox.nextSeq()).isEqualTo(4);
        assertThat(append(outbox)).isEqualTo(4);
        reopen(100);
        assertThat(seqs(outbox.pending())).containsExactly(1L, 2L, 4L);
    }

    @Test
    void aDamagedRecordInTheMiddleCutsTheRestButLaterSeqsAreNotGivenAgain() throws IOException {
        outbox = Outbox.open(dir, 100, true);
        append(outbox);
        long secondStarts = outbox.fileBytes();
        appendFacts(4);
        outbox.acknowledge(5);
        outbox.close();
        FileDamage.flipByte(file(), secondStarts + 20); // inside fact 2; facts 3 to 5 and the ACK are intact behind it

        reopen(100);

        assertThat(seqs(outbox.pending())).as("everything after the damage is cut").containsExactly(1L);
        assertThat(outbox.nextSeq()).as("seqs 3 to 5 were found intact in the cut bytes").isEqualTo(6);
    }

    @Test
    void whenFullTheOldestDroppableFactGoesFirstThenTheOldestFailureAndDropsSurviveReopen() {
        outbox = Outbox.open(dir, 3, true);
        outbox.append(true, OutboxTest::fact);   // 1 failure
        outbox.append(false, OutboxTest::fact);  // 2
        outbox.append(true, OutboxTest::fact);   // 3 failure
        assertThat(outbox.droppedCount()).isZero();

        outbox.append(false, OutboxTest::fact);  // 4: drops 2, the oldest droppable
        assertThat(seqs(outbox.pending())).containsExactly(1L, 3L, 4L);
        outbox.append(true, OutboxTest::fact);   // 5: drops 4
        assertThat(seqs(outbox.pending())).containsExactly(1L, 3L, 5L);
        outbox.append(true, OutboxTest::fact);   // 6: only failures held: drops the oldest, 1
        assertThat(seqs(outbox.pending())).containsExactly(3L, 5L, 6L);
        outbox.append(false, OutboxTest::fact);  // 7: itself the only droppable fact
        assertThat(seqs(outbox.pending())).containsExactly(3L, 5L, 6L);
        assertThat(outbox.droppedCount()).isEqualTo(4);
        assertThat(logs.messages(Level.SEVERE)).hasSize(4);
        assertThat(logs.messages(Level.SEVERE).get(0)).startsWith("outbox full (3 facts): dropped fact seq 2 (")
                .contains("1 dropped since start").endsWith("raise outbox.max_facts or restore the broker connection");
        assertThat(logs.messages(Level.SEVERE).get(2)).startsWith("outbox full (3 facts): dropped fact seq 1 (")
                .contains("3 dropped since start");

        reopen(3);
        assertThat(seqs(outbox.pending())).containsExactly(3L, 5L, 6L);
        assertThat(outbox.pending()).allSatisfy(e -> assertThat(e.keepOnOverflow()).isTrue());
        assertThat(outbox.nextSeq()).isEqualTo(8);
        assertThat(outbox.droppedCount()).isZero();
    }

    @Test
    void reopeningWithASmallerBoundDropsTheExcessLoudly() {
        outbox = Outbox.open(dir, 10, true);
        appendFacts(5);
        reopen(2);
        assertThat(seqs(outbox.pending())).containsExactly(4L, 5L);
        assertThat(outbox.droppedCount()).isEqualTo(3);
        assertThat(logs.messages(Level.SEVERE)).hasSize(3);
    }

    @Test
    void compactionKeepsThePendingFactsAndTheSeqMarker() throws IOException {
        outbox = Outbox.open(dir, 1000, true, 4096);
        long largest = 0;
        for (int i = 1; i <= 200; i++) {
            append(outbox);
            if (i <= 198) {
                outbox.acknowledge(i);
            }
            largest = Math.max(largest, outbox.fileBytes());
        }
        assertThat(largest).as("the file never grew much past the threshold").isLessThan(4096 + 200);
        assertThat(outbox.fileBytes()).as("200 facts and 198 acknowledgements were appended, about 8 kB").isLessThan(4096);
        assertThat(seqs(outbox.pending())).containsExactly(199L, 200L);

        reopen(1000);
        assertThat(seqs(outbox.pending())).containsExactly(199L, 200L);
        assertThat(outbox.pending()).allSatisfy(e -> assertThat(text(e)).isEqualTo("fact " + e.seq()));
        assertThat(outbox.lastAcknowledged()).isEqualTo(198);
        assertThat(outbox.nextSeq()).isEqualTo(201);

        outbox.acknowledge(200);
        reopen(1000, 4096);
        for (int i = 0; i < 200; i++) {
            append(outbox); // while they are pending the file is mostly live: no rewrite
        }
        long grown = outbox.fileBytes();
        assertThat(grown).isGreaterThan(4096);
        outbox.acknowledge(400); // the rewrite now holds nothing but the SEQ and ACK records
        assertThat(outbox.fileBytes()).isLessThan(grown / 10);
        reopen(1000);
        assertThat(outbox.pending()).isEmpty();
        assertThat(outbox.lastAcknowledged()).isEqualTo(400);
        assertThat(outbox.nextSeq()).isEqualTo(401);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("outbox.log", "outbox.lock");
        }
    }

    @Test
    void compactionRemembersTheHighestSeqEvenWhenThatFactWasDropped() {
        outbox = Outbox.open(dir, 1, true, 256);
        outbox.append(true, OutboxTest::fact); // a failure, held while the broker stays away
        for (int i = 0; i < 30; i++) {
            outbox.append(false, OutboxTest::fact); // each dropped at once: the failure is kept
        }
        assertThat(outbox.fileBytes()).as("compacted").isLessThan(256);
        assertThat(outbox.droppedCount()).isEqualTo(30);

        reopen(1);

        assertThat(seqs(outbox.pending())).containsExactly(1L);
        assertThat(outbox.nextSeq()).as("31 is only in the SEQ marker").isEqualTo(32);
    }

    @Test
    void aCompactionInterruptedBeforeItsRenameLeavesTheOldFileInUse() throws IOException {
        outbox = Outbox.open(dir, 100, true);
        appendFacts(3);
        outbox.acknowledge(1);
        outbox.close();
        Files.write(dir.resolve("outbox.log.rewrite"), new byte[] {0, 0, 0, 9, 1, 2}); // half-written new file

        reopen(100);

        assertThat(seqs(outbox.pending())).containsExactly(2L, 3L);
        assertThat(outbox.nextSeq()).isEqualTo(4);
        assertThat(dir.resolve("outbox.log.rewrite")).doesNotExist();
    }

    @Test
    void aFailingEncoderUsesNoSeq() {
        outbox = Outbox.open(dir, 100, true);
        assertThatThrownBy(() -> outbox.append(false, s -> {
            throw new IllegalStateException("cannot encode");
        })).hasMessage("cannot encode");
        assertThat(append(outbox)).isEqualTo(1);
        assertThat(outbox.size()).isEqualTo(1);
    }

    @Test
    void oneOutboxPerDirectory() {
        outbox = Outbox.open(dir, 100, true);
        assertThatThrownBy(() -> Outbox.open(dir, 100, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is open");
        outbox.close();
        outbox = Outbox.open(dir, 100, true);
        assertThatThrownBy(() -> Outbox.open(dir, 0, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentAppendsGetEveryNumberOnceInFileOrder() throws Exception {
        outbox = Outbox.open(dir, 10_000, false);
        int threads = 8;
        int each = 250;
        ConcurrentLinkedQueue<Long> returned = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        returned.add(append(outbox));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long total = (long) threads * each;
        assertThat(returned).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());

        reopen(10_000);
        assertThat(seqs(outbox.pending())).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(outbox.pending()).allSatisfy(e -> assertThat(text(e)).isEqualTo("fact " + e.seq()));
    }

    private void reopen(int maxFacts) {
        reopen(maxFacts, Outbox.DEFAULT_COMPACT_BYTES);
    }

    private void reopen(int maxFacts, long compactBytes) {
        outbox.close();
        outbox = Outbox.open(dir, maxFacts, true, compactBytes);
    }

    private void appendFacts(int count) {
        for (int i = 0; i < count; i++) {
            append(outbox);
        }
    }

    private static long append(Outbox outbox) {
        return outbox.append(false, OutboxTest::fact);
    }

    /** A fact that names its own seq, as the reporter's CloudEvents do. */
    private static byte[] fact(long seq) {
        return ("fact " + seq).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Outbox.Entry entry) {
        return new String(entry.payload(), StandardCharsets.UTF_8);
    }

    private static List<Long> seqs(List<Outbox.Entry> entries) {
        return entries.stream().map(Outbox.Entry::seq).toList();
    }

    private Path file() {
        return dir.resolve("outbox.log");
    }
}
