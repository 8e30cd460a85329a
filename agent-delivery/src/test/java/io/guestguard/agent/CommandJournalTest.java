package io.guestguard.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/** The command journal on real files: once per command id across restarts, and where to resume. */
class CommandJournalTest {

    @TempDir
    Path dir;
    private CommandJournal journal;
    private final LogCapture logs = new LogCapture("io.guestguard.agent");

    @AfterEach
    void closeAll() {
        if (journal != null) {
            journal.close();
        }
        logs.close();
    }

    @Test
    void aCommandIsAppliedTheFirstTimeOnlyAlsoAfterARestart() {
        journal = CommandJournal.open(dir);
        assertThat(journal.firstTime("cmd-1", 10)).isTrue();
        assertThat(journal.firstTime("cmd-1", 10)).as("the same record read again").isFalse();
        assertThat(journal.firstTime("cmd-2", 11)).isTrue();

        reopen(CommandJournal.DEFAULT_CAPACITY);

        assertThat(journal.firstTime("cmd-1", 10)).isFalse();
        assertThat(journal.firstTime("cmd-2", 40)).as("the same command resent at a later offset").isFalse();
        assertThat(journal.firstTime("cmd-3", 12)).isTrue();
        assertThat(journal.size()).isEqualTo(3);
    }

    @Test
    void resumesAfterTheHighestOffsetRecorded() {
        journal = CommandJournal.open(dir);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.empty());
        journal.firstTime("a", 5);
        journal.firstTime("b", 7);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(8));

        reopen(CommandJournal.DEFAULT_CAPACITY);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(8));
        journal.firstTime("a", 9); // a duplicate does not move the resume offset
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(8));
    }

    @Test
    void aTornLastRecordIsCutAndThatCommandCountsAsNotApplied() throws IOException {
        journal = CommandJournal.open(dir);
        journal.firstTime("cmd-1", 1);
        long intact = Files.size(file());
        journal.firstTime("cmd-2", 2);
        journal.close();
        FileDamage.truncate(file(), intact + 5); // only part of cmd-2's header reached the disk

        journal = CommandJournal.open(dir);

        assertThat(logs.messages(Level.WARNING)).containsExactly(file() + ": incomplete (torn) record at byte offset "
                + intact + "; cut 5 bytes there, kept the " + intact + " bytes before it");
        assertThat(Files.size(file())).isEqualTo(intact);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(2));
        assertThat(journal.firstTime("cmd-1", 1)).isFalse();
        assertThat(journal.firstTime("cmd-2", 2)).as("its record was lost, so it is applied (once) again").isTrue();
        reopen(CommandJournal.DEFAULT_CAPACITY);
        assertThat(journal.firstTime("cmd-2", 2)).isFalse();
    }

    @Test
    void aCorruptRecordIsCutWithWhatFollows() throws IOException {
        journal = CommandJournal.open(dir);
        journal.firstTime("cmd-1", 1);
        long intact = Files.size(file());
        journal.firstTime("cmd-2", 2);
        journal.close();
        FileDamage.flipByte(file(), intact + 18);

        journal = CommandJournal.open(dir);

        assertThat(logs.messages(Level.WARNING)).singleElement().asString().contains("corrupt record at byte offset " + intact);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(2));
        assertThat(journal.firstTime("cmd-1", 1)).isFalse();
    }

    @Test
    void remembersTheLastIdsAndKeepsTheFileSmall() throws IOException {
        journal = CommandJournal.open(dir, 4);
        long largest = 0;
        for (int i = 1; i <= 50; i++) {
            assertThat(journal.firstTime("cmd-" + i, 100 + i)).isTrue();
            largest = Math.max(largest, Files.size(file()));
        }
        // Rewritten to the last 4 once it holds more than 8 records of at most 24 bytes.
        assertThat(largest).isLessThanOrEqualTo(8 * 24);

        reopen(4);

        assertThat(journal.size()).isEqualTo(4);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(151));
        for (int i = 47; i <= 50; i++) {
            assertThat(journal.firstTime("cmd-" + i, 200)).as("cmd-%d is remembered", i).isFalse();
        }
        assertThat(journal.firstTime("cmd-1", 201)).as("forgotten, but its offset is long behind the resume offset").isTrue();
        assertThat(dir.resolve("commands.log.rewrite")).doesNotExist();
    }

    @Test
    void theResumeOffsetSurvivesCompactionWhenItsCommandIsForgotten() {
        journal = CommandJournal.open(dir, 2);
        journal.firstTime("newest", 1000);
        for (int i = 1; i <= 10; i++) { // older records read again, for instance after a partition reset
            journal.firstTime("old-" + i, i);
        }
        reopen(2);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(1001));
        assertThat(journal.firstTime("newest", 1000)).as("forgotten").isTrue();
    }

    @Test
    void aRecordedStartingPositionIsWhereARestartedReceiverResumesEvenWithoutCommands() {
        journal = CommandJournal.open(dir);
        journal.markPosition(0); // a new receiver on an empty partition
        reopen(CommandJournal.DEFAULT_CAPACITY);
        assertThat(journal.resumeOffset()).as("offset 0, not the end").isEqualTo(OptionalLong.of(0));
        journal.markPosition(42);
        reopen(CommandJournal.DEFAULT_CAPACITY);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(42));
    }

    @Test
    void aBegunCommandIsPendingUntilDoneAlsoAcrossRestartsAndCompaction() {
        journal = CommandJournal.open(dir, 2);
        byte[] start = "{\"start\":\"g1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(journal.begin("start-1", 7, start)).isTrue();
        assertThat(journal.begin("start-1", 7, start)).as("read again").isFalse();
        journal.begin("halt-2", 8, new byte[] {1, 2});
        journal.done("halt-2");

        reopen(2);
        assertThat(journal.pending()).as("begun, never done: a crash came between").containsExactly(start);
        assertThat(journal.firstTime("start-1", 7)).as("still applied once").isFalse();
        for (int i = 1; i <= 10; i++) { // enough to compact, and to forget start-1's id
            journal.firstTime("later-" + i, 10 + i);
        }

        reopen(2);
        assertThat(journal.pending()).as("compaction keeps unfinished commands").containsExactly(start);
        assertThat(journal.resumeOffset()).isEqualTo(OptionalLong.of(21));
        journal.done("start-1");

        reopen(2);
        assertThat(journal.pending()).isEmpty();
    }

    private void reopen(int capacity) {
        journal.close();
        journal = CommandJournal.open(dir, capacity);
    }

    private Path file() {
        return dir.resolve("commands.log");
    }
}
