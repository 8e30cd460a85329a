package io.guestguard.console;

import io.guestguard.protocol.Names;
import io.guestguard.protocol.fleet.FleetStatus;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The console's pages, rendered on the server (Qute, every value escaped) and readable without
 * JavaScript: the fleet view with the decision timeline, and one page per guest. A tiny script keeps
 * them current through {@link LiveEvents}. Nothing here writes: the operator's actions are
 * {@code act.OperatorActions}'.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class ConsolePages {

    private final FleetFeed feed;
    private final Template fleet;
    private final Template fleetView;
    private final Template guest;
    private final Template guestView;

    public ConsolePages(FleetFeed feed, @Location("fleet.html") Template fleet, @Location("fleetView.html") Template fleetView,
                        @Location("guest.html") Template guest, @Location("guestView.html") Template guestView) {
        this.feed = feed;
        this.fleet = fleet;
        this.fleetView = fleetView;
        this.guest = guest;
        this.guestView = guestView;
    }

    private static final DateTimeFormatter READ_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    @GET
    public TemplateInstance fleet() {
        FleetStatus status = feed.status();
        return fleet.data("status", status).data("readAt", READ_AT.format(status.readAt())).data("timeline", feed.timeline(null))
                .data("passedOver", feed.passedOver());
    }

    /** The fleet view alone: what the page's script puts in place when the fleet changed. */
    @GET
    @Path("fragments/fleet")
    public TemplateInstance fleetView() {
        FleetStatus status = feed.status();
        return fleetView.data("status", status).data("readAt", READ_AT.format(status.readAt()));
    }

    @GET
    @Path("guests/{guest}")
    public TemplateInstance guest(@PathParam("guest") String name) {
        return guest.data("g", guestStatus(name)).data("timeline", feed.timeline(name));
    }

    @GET
    @Path("fragments/guests/{guest}")
    public TemplateInstance guestView(@PathParam("guest") String name) {
        return guestView.data("g", guestStatus(name));
    }

    private FleetStatus.GuestStatus guestStatus(String name) {
        if (!Names.valid(name)) {
            throw new NotFoundException("no such guest");
        }
        return feed.status().guests().stream().filter(g -> g.guest().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException("no guest " + name + " has a package or a placement"));
    }
}
