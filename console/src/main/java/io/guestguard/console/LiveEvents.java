package io.guestguard.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.List;
import java.util.Map;

/**
 * Server-sent events for the pages' script: {@code decision} (one new decision, as JSON) and
 * {@code fleet} (the fleet changed: fetch the fleet view again). A page that connects gets the newest
 * decisions first, so that none decided between its render and its connection is missed (the
 * script drops those it shows already).
 */
@Path("/events")
@Singleton
public class LiveEvents {

    /** Decisions sent again to a page that connects. */
    static final int CATCH_UP = 50;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FleetFeed feed;
    private volatile SseBroadcaster broadcaster;
    private volatile Sse sse;

    public LiveEvents(FleetFeed feed) {
        this.feed = feed;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@Context SseEventSink sink, @Context Sse sse) {
        broadcaster(sse).register(sink);
        List<TimelineEntry> newestFirst = feed.timeline(null);
        for (int i = Math.min(CATCH_UP, newestFirst.size()) - 1; i >= 0; i--) {
            sink.send(decision(sse, newestFirst.get(i)));
        }
    }

    private synchronized SseBroadcaster broadcaster(Sse given) {
        if (broadcaster == null) {
            sse = given;
            broadcaster = given.newBroadcaster();
            feed.onDecision(entry -> broadcaster.broadcast(decision(sse, entry)));
            feed.onFleetChange(() -> broadcaster.broadcast(sse.newEventBuilder().name("fleet").data(String.class, "changed").build()));
        }
        return broadcaster;
    }

    private static jakarta.ws.rs.sse.OutboundSseEvent decision(Sse sse, TimelineEntry entry) {
        String json;
        try {
            json = JSON.writeValueAsString(Map.of("id", entry.id(), "clock", entry.clock(), "guest", entry.guest(),
                    "subject", entry.subject(), "action", entry.action(), "reason", entry.reason()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a decision's fields are strings: " + e.getMessage(), e);
        }
        return sse.newEventBuilder().name("decision").id(entry.id()).data(String.class, json).build();
    }
}
