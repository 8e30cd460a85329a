package io.guestguard.console;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code /dead-letters}: the newest dead letters ({@link DeadLetters}), newest first, filtered by a
 * part of their reason ({@code ?reason=}) and their service ({@code ?service=}); new ones are added
 * by the page's script from the {@code dead-letter} events of {@link LiveEvents}.
 */
@Path("/dead-letters")
@Produces(MediaType.TEXT_HTML)
public class DeadLetterPage {

    /** A filter longer than this is cut: no reason is longer, and the page repeats it. */
    static final int FILTER_LENGTH = 200;

    private final DeadLetters letters;
    private final Template page;

    public DeadLetterPage(DeadLetters letters, @Location("deadLetters.html") Template page) {
        this.letters = letters;
        this.page = page;
    }

    @GET
    public TemplateInstance letters(@QueryParam("reason") String reason, @QueryParam("service") String service) {
        String byReason = bounded(reason);
        String byService = bounded(service);
        return page.data("letters", letters.newestFirst(byReason, byService)).data("services", letters.services())
                .data("reason", byReason).data("service", byService).data("kept", DeadLetters.KEPT);
    }

    private static String bounded(String filter) {
        if (filter == null) {
            return "";
        }
        String trimmed = filter.strip();
        return trimmed.length() > FILTER_LENGTH ? trimmed.substring(0, FILTER_LENGTH) : trimmed;
    }
}
