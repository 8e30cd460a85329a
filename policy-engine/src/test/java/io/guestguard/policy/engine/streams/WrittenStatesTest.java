package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.GuestState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A state is taken as written only for exactly the bytes written; anything else is read as usual. */
class WrittenStatesTest {

    private final GuestState state = GuestState.EMPTY;

    @Test
    void theBytesWrittenOrAnEqualCopyFindTheStateAndAnythingElseDoesNot() {
        WrittenStates written = new WrittenStates(4);
        byte[] bytes = {1, 2, 3};
        written.wrote("g1", bytes, state);

        assertThat(written.find("g1", bytes)).isSameAs(state);
        assertThat(written.find("g1", new byte[] {1, 2, 3})).as("read back from the disk").isSameAs(state);
        assertThat(written.find("g2", bytes)).as("another guest").isNull();
        assertThat(written.find("g1", new byte[] {1, 2, 4})).as("written by someone else").isNull();
        assertThat(written.find("g1", bytes)).as("forgotten after a mismatch").isNull();
    }

    @Test
    void itKeepsTheMostRecentlyUsedGuestsOnly() {
        WrittenStates written = new WrittenStates(2);
        byte[] bytes = {7};
        written.wrote("g1", bytes, state);
        written.wrote("g2", bytes, state);
        written.find("g1", bytes);
        written.wrote("g3", bytes, state);

        assertThat(written.find("g2", bytes)).as("least recently used").isNull();
        assertThat(written.find("g1", bytes)).isSameAs(state);
        assertThat(written.find("g3", bytes)).isSameAs(state);
    }
}
