package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --guest-clock} values: a guest of the fleet and a libfaketime offset, or a message naming the fix. */
class GuestClocksTest {

    private static final List<String> GUESTS = List.of("g1", "g2", "g3");

    @Test
    void offsetsAsFaketimeTakesThem() {
        assertThatCode(() -> GuestClocks.check(Map.of("g1", "-2h", "g2", "+2h", "g3", "+0"), GUESTS)).doesNotThrowAnyException();
        assertThatCode(() -> GuestClocks.check(Map.of("g1", "+30m", "g2", "-90s", "g3", "+1d"), GUESTS)).doesNotThrowAnyException();
    }

    @Test
    void anUnknownGuestOrAnOffsetFaketimeWouldNotTakeIsRefusedWithTheFix() {
        assertThatThrownBy(() -> GuestClocks.check(Map.of("g9", "-2h"), GUESTS))
                .hasMessage("--guest-clock g9=-2h: no guest g9 in the fleet; its guests are g1, g2, g3");
        assertThatThrownBy(() -> GuestClocks.check(Map.of("g1", "yesterday"), GUESTS))
                .hasMessageStartingWith("--guest-clock g1=yesterday: the offset is a sign, a number and a unit (s, m, h, d), e.g. -2h");
        assertThatThrownBy(() -> GuestClocks.check(Map.of("g1", "2h"), GUESTS)).as("the sign is needed")
                .hasMessageContaining("the offset is a sign");
        assertThatThrownBy(() -> GuestClocks.check(Map.of("g1", "-2h;rm"), GUESTS)).as("nothing but an offset reaches the script")
                .hasMessageContaining("the offset is a sign");
    }
}
