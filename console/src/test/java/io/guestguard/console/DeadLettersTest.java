package io.guestguard.console;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.HostLost;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dead letters the console keeps: the newest {@link DeadLetters#KEPT} by time whatever order
 * the partitions are read in, each once, with what its record says of itself when it decodes, filtered
 * by reason and service, and each new one told to the listeners.
 */
class DeadLettersTest {

    private static final String TOPIC = "guestguard.dead-letter.v1";

    private final DeadLetters letters = new DeadLetters();

    @Test
    void keepsTheNewestByTimeEachOnceAndTellsOfNewOnesOnly() {
        List<DeadLetterEntry> told = new ArrayList<>();
        letters.onLetter(told::add);
        // Partition 1 read after partition 0, its letters older: the newest KEPT by time stay.
        for (int i = 0; i < DeadLetters.KEPT; i++) {
            letters.accept(letter(0, i, 10_000 + i, "unsigned: the event has no dssematerial", "policy-engine", "garbage".getBytes()));
        }
        for (int i = 0; i < 10; i++) {
            letters.accept(letter(1, i, 5_000 + i, "too old to be kept", "policy-engine", null));
        }
        letters.accept(letter(1, 10, 20_000, "newest", "host-supervisor", null));
        letters.accept(letter(1, 10, 20_000, "newest", "host-supervisor", null)); // read again after an outage

        List<DeadLetterEntry> kept = letters.newestFirst("", "");
        assertThat(kept).hasSize(DeadLetters.KEPT);
        assertThat(kept.get(0).reason()).isEqualTo("newest");
        assertThat(kept).noneMatch(e -> e.reason().equals("too old to be kept"));
        assertThat(kept.get(kept.size() - 1).id()).as("the oldest of partition 0 made room").isEqualTo(TOPIC + "-0@1");
        assertThat(told).hasSize(DeadLetters.KEPT + 1).extracting(DeadLetterEntry::reason).doesNotContain("too old to be kept");
    }

    @Test
    void filtersByAPartOfTheReasonInAnyCaseAndByServiceAndDecodesWhatItCan() {
        byte[] forged = new EventCodec().encode(CloudEvent.ofGuest("forged-lost", "/kcat", Instant.now(), "g3", new HostLost("primary")));
        letters.accept(letter(0, 0, 1_000, "unsigned: the event has no dssematerial", "policy-engine", forged));
        letters.accept(letter(0, 1, 2_000, "not authorized: guest g3 may not emit host.lost", "policy-engine", "{".getBytes()));
        letters.accept(letter(0, 2, 3_000, "unsigned: the event has no dssematerial", "host-supervisor", null));

        assertThat(letters.newestFirst("UNSIGNED", null)).extracting(DeadLetterEntry::offset).containsExactly(2L, 0L);
        assertThat(letters.newestFirst("unsigned", "policy-engine")).singleElement().satisfies(e -> {
            assertThat(e.shortType()).isEqualTo("host.lost");
            assertThat(e.eventId()).isEqualTo("forged-lost");
            assertThat(e.guest()).isEqualTo("g3");
            assertThat(e.origin()).isEqualTo("guestguard.guest-log.v1-0@0");
        });
        assertThat(letters.newestFirst("authorized", "")).singleElement().satisfies(e -> assertThat(e.type()).as("does not decode").isNull());
        assertThat(letters.newestFirst("", "watcher")).isEmpty();
        assertThat(letters.services()).containsExactly("host-supervisor", "policy-engine");
    }

    @Test
    void aLetterWithoutHeadersShowsWhatItHas() {
        letters.accept(new ConsumerRecord<>(TOPIC, 0, 7, 1_000L, TimestampType.CREATE_TIME, -1, -1, null, "x".getBytes(),
                new org.apache.kafka.common.header.internals.RecordHeaders(), Optional.empty()));
        assertThat(letters.newestFirst(null, null)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isNull();
            assertThat(e.origin()).isEqualTo("?-?@?");
            assertThat(e.matches("unsigned", null)).isFalse();
            assertThat(e.matches(null, null)).isTrue();
        });
    }

    private static ConsumerRecord<String, byte[]> letter(int partition, long offset, long time, String reason, String service, byte[] value) {
        return new ConsumerRecord<>(TOPIC, partition, offset, time, TimestampType.CREATE_TIME, -1, value == null ? -1 : value.length,
                "g3", value, DeadLetter.headers(reason, "guestguard.guest-log.v1", 0, offset, service), Optional.empty());
    }
}
