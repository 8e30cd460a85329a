package io.guestguard.protocol.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** How the fleet's records fold into what {@code guestguard status} and the console show. */
class FleetFoldTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final Topics TOPICS = Topics.DEFAULT;

    private final EventCodec codec = new EventCodec();
    private final FleetFold fold = new FleetFold(TOPICS);
    private long offset;

    @Test
    void keepsTheLatestPlacementAndForgetsATombstonedOne() {
        fold.accept(record(TOPICS.placements(), "g1", placement("p1", "h1", 1)));
        fold.accept(record(TOPICS.placements(), "g1", placement("p2", "h2", 2)));
        fold.accept(record(TOPICS.placements(), "g2", placement("p3", "h1", 1)));
        fold.accept(new ConsumerRecord<>(TOPICS.placements(), 0, offset++, "g2", null));

        FleetSnapshot fleet = fold.snapshot(NOW);

        assertThat(fleet.placements()).containsOnlyKeys("g1");
        assertThat(fleet.placements().get("g1").host()).isEqualTo("h2");
    }

    @Test
    void passesOverAndCountsWhatDoesNotDecode() {
        fold.accept(record(TOPICS.placements(), "g1", placement("p1", "h1", 1)));
        fold.accept(new ConsumerRecord<>(TOPICS.placements(), 0, offset++, "g1", "{\"not\":\"an event\"}".getBytes(StandardCharsets.UTF_8)));
        fold.accept(new ConsumerRecord<>(TOPICS.decisions(), 0, offset++, null, codec.encode(decision("d1", "g1", 0))));

        assertThat(fold.passedOver()).isEqualTo(2);
        assertThat(fold.snapshot(NOW).placements().get("g1").host()).as("the readable placement stays").isEqualTo("h1");
        assertThat(fold.snapshot(NOW).decisions()).isEmpty();
    }

    @Test
    void keepsEachGuestsNewestDecisionAndHandsEveryReadableOneOn() {
        assertThat(fold.accept(record(TOPICS.decisions(), "g1", decision("d2", "g1", 2)))).map(CloudEvent::id).contains("d2");
        assertThat(fold.accept(record(TOPICS.decisions(), "g1", decision("d1", "g1", 1)))).map(CloudEvent::id).contains("d1");

        assertThat(fold.snapshot(NOW).decisions().get("g1").id()).as("the newest by its time").isEqualTo("d2");
    }

    @Test
    void takesEachHostsLastBeatOrLeavingAtItsAppendTime() {
        fold.accept(record(TOPICS.hostHeartbeats(), "h1", new CloudEvent<>("b1", "/host/h1/supervisor", NOW, null, null, "h1", null,
                new Heartbeat("host", "h1", List.of("g1"))), NOW.minusMillis(300)));
        fold.accept(record(TOPICS.hostHeartbeats(), "h2", new CloudEvent<>("l1", "/host/h2/supervisor", NOW, null, null, "h2", null,
                new HostLeaving("h2")), NOW.minusSeconds(5)));

        Map<String, FleetSnapshot.HostSeen> hosts = fold.snapshot(NOW).hosts();

        assertThat(hosts.get("h1")).isEqualTo(new FleetSnapshot.HostSeen(NOW.minusMillis(300), List.of("g1"), false));
        assertThat(hosts.get("h2")).isEqualTo(new FleetSnapshot.HostSeen(NOW.minusSeconds(5), List.of(), true));
    }

    @Test
    void countsTheDeadLettersOfTheLastHour() {
        fold.accept(record(TOPICS.deadLetter(), "x", new byte[] {1}, NOW.minusSeconds(7200)));
        fold.accept(record(TOPICS.deadLetter(), "x", new byte[] {1}, NOW.minusSeconds(60)));

        assertThat(fold.snapshot(NOW).deadLettersLastHour()).isEqualTo(1);
    }

    private CloudEvent<GuestPlacement> placement(String id, String host, long epoch) {
        return CloudEvent.ofGuest(id, "/policy-engine", NOW, "g1", new GuestPlacement(host, epoch, PlacementPhase.RUNNING, Map.of()));
    }

    private static CloudEvent<Decision> decision(String id, String guest, int secondsLater) {
        return CloudEvent.ofGuest(id, "/policy-engine", NOW.minusSeconds(60 - secondsLater), guest,
                new Decision(Decision.Action.RESTART_APP, "app1", 1, 2, null, null, null, 1L,
                        new Decision.Reason("APP_FAILED_WITHIN_LIMIT", "app1 failed (SIGKILL)"), List.of("f1"), List.of(), null));
    }

    private ConsumerRecord<String, byte[]> record(String topic, String key, CloudEvent<?> event) {
        return record(topic, key, codec.encode(event), NOW);
    }

    private ConsumerRecord<String, byte[]> record(String topic, String key, CloudEvent<?> event, Instant appended) {
        return record(topic, key, codec.encode(event), appended);
    }

    private ConsumerRecord<String, byte[]> record(String topic, String key, byte[] value, Instant appended) {
        return new ConsumerRecord<>(topic, 0, offset++, appended.toEpochMilli(), TimestampType.LOG_APPEND_TIME, 0, value.length, key,
                value, new RecordHeaders(), Optional.empty());
    }
}
