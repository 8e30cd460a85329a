package io.guestguard.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server-sent events for the pages' script: {@code decision} (one new decision, as JSON),
 * {@code fleet} (the fleet changed: fetch the fleet view again) and {@code dead-letter} (one new dead
 * letter, as JSON). A page that connects gets the newest decisions and dead letters first, so that
 * none between its render and its connection is missed (the script drops those it shows already).
 */
@Path("/events")
@Singleton
public class LiveEvents {

    /** Decisions sent again to a page that connects. */
    static final int CATCH_UP = 50;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FleetFeed feed;
    private final DeadLetters deadLetters;
    private volatile SseBroadcaster broadcaster;
    private volatile Sse sse;

    public LiveEvents(FleetFeed feed, DeadLetters deadLetters) {
        this.feed = feed;
        this.deadLetters = deadLetters;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@Context SseEventSink sink, @Context Sse sse) {
        broadcaster(sse).register(sink);
        List<TimelineEntry> newestFirst = feed.timeline(null);
        for (int i = Math.min(CATCH_UP, newestFirst.size()) - 1; i >= 0; i--) {
            sink.send(decision(sse, newestFirst.get(i)));
        }
        List<DeadLetterEntry> letters = deadLetters.newestFirst(null, null);
        for (int i = Math.min(CATCH_UP, letters.size()) - 1; i >= 0; i--) {
            sink.send(deadLetter(sse, letters.get(i)));
        }
    }

    private synchronized SseBroadcaster broadcaster(Sse given) {
        if (broadcaster == null) {
            sse = given;
            broadcaster = given.newBroadcaster();
            feed.onDecision(entry -> broadcaster.broadcast(decision(sse, entry)));
            feed.onFleetChange(() -> broadcaster.broadcast(sse.newEventBuilder().name("fleet").data(String.class, "changed").build()));
            deadLetters.onLetter(letter -> broadcaster.broadcast(deadLetter(sse, letter)));
        }
        return broadcaster;
    }

    private static OutboundSseEvent decision(Sse sse, TimelineEntry entry) {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("id", entry.id(), "clock", entry.clock(), "guest", entry.guest(),
                "subject", entry.subject(), "action", entry.action(), "reason", entry.reason(), "causeIds", entry.causeIds()));
        fields.put("trace", entry.trace()); // null for a decision made before traces
        return event(sse, "decision", entry.id(), fields);
    }

    private static OutboundSseEvent deadLetter(Sse sse, DeadLetterEntry letter) {
        Map<String, Object> fields = new LinkedHashMap<>(); // some are null: what a letter or its record does not say
        fields.put("id", letter.id());
        fields.put("at", letter.at());
        fields.put("service", letter.service());
        fields.put("reason", letter.reason());
        fields.put("origin", letter.origin());
        fields.put("key", letter.key());
        fields.put("type", letter.shortType());
        fields.put("eventId", letter.eventId());
        fields.put("guest", letter.guest());
        return event(sse, "dead-letter", letter.id(), fields);
    }

    private static OutboundSseEvent event(Sse sse, String name, String id, Map<String, ?> fields) {
        String json;
        try {
            json = JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event's fields are strings: " + e.getMessage(), e);
        }
        return sse.newEventBuilder().name(name).id(id).data(String.class, json).build();
    }
}
