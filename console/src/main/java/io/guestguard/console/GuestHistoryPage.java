package io.guestguard.console;

import io.guestguard.protocol.Names;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import org.apache.kafka.common.KafkaException;

/**
 * {@code /guests/GUEST/history}: the guest's chain, read from the topics when asked ({@link GuestHistory}),
 * rendered on the server; each fact, decision, command and placement is an anchor by its event id, so a
 * decision's cause link elsewhere ({@code /guests/g1/history#ID}) lands on the fact, and
 * {@code ?trace=TRACEID} marks every fact, decision and command of that trace (a timeline's trace link).
 */
@Path("/guests/{guest}/history")
@Produces(MediaType.TEXT_HTML)
public class GuestHistoryPage {

    private final GuestHistory history;
    private final Template page;

    public GuestHistoryPage(GuestHistory history, @Location("history.html") Template page) {
        this.history = history;
        this.page = page;
    }

    /** A W3C trace id, as {@code ?trace=} may name one to mark. */
    private static final java.util.regex.Pattern TRACE_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");

    /** @param trace a trace id whose records the page marks, or {@code null}; anything else is ignored */
    @GET
    public TemplateInstance history(@PathParam("guest") String guest, @jakarta.ws.rs.QueryParam("trace") String trace) {
        if (!Names.valid(guest)) {
            throw new NotFoundException("no such guest");
        }
        try {
            return page.data("h", history.of(guest).orElseThrow(() -> new NotFoundException(
                    "no fact or decision of guest " + guest + " among the newest records of its topics")))
                    .data("trace", trace != null && TRACE_ID.matcher(trace).matches() ? trace : null);
        } catch (GuestHistory.Busy busy) {
            throw new ServiceUnavailableException(busy.getMessage(), 2L);
        } catch (KafkaException | IllegalStateException unreadable) {
            throw new ServiceUnavailableException("cannot read the guest's records: " + unreadable.getMessage(), 5L);
        }
    }
}
