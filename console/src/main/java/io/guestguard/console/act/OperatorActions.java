package io.guestguard.console.act;

import io.guestguard.console.FleetFeed;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The operator's actions, in two steps that work without JavaScript: a GET of the action (from the
 * guest page's buttons) renders a confirmation page that says exactly what will happen, whose form
 * POSTs it back with a CSRF token; only that POST writes the request, and its answer gives the
 * request's id and the guest page where the engine's decision will appear. Everything under
 * {@code /actions} is the operator role's (application.properties: a viewer gets a 403, on the POST
 * too); a request the form cannot make (an unknown guest, a host not among its package's) is a 400
 * page that says why, and Kafka not taking it a 503 that says why and writes nothing.
 */
@Path("/actions")
@Produces(MediaType.TEXT_HTML)
public class OperatorActions {

    private final FleetFeed feed;
    private final ActionWriter writer;
    private final ConsoleOperator operator;
    private final SecurityIdentity identity;
    private final Template confirm;
    private final Template done;
    private final Template problem;

    public OperatorActions(FleetFeed feed, ActionWriter writer, ConsoleOperator operator, SecurityIdentity identity,
                           @Location("actions/confirm.html") Template confirm, @Location("actions/done.html") Template done,
                           @Location("actions/problem.html") Template problem) {
        this.feed = feed;
        this.writer = writer;
        this.operator = operator;
        this.identity = identity;
        this.confirm = confirm;
        this.done = done;
        this.problem = problem;
    }

    @GET
    @Path("guest")
    public Response confirmGuest(@QueryParam("guest") String guest, @QueryParam("action") String action, @QueryParam("to") String to) {
        try {
            return confirmation(PlannedAction.ofGuest(feed.status(), guest, action, to));
        } catch (PlannedAction.Invalid e) {
            return refused(e, guest);
        }
    }

    @POST
    @Path("guest")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response writeGuest(@FormParam("guest") String guest, @FormParam("action") String action, @FormParam("to") String to) {
        try {
            return write(PlannedAction.ofGuest(feed.status(), guest, action, to));
        } catch (PlannedAction.Invalid e) {
            return refused(e, guest);
        }
    }

    @GET
    @Path("app")
    public Response confirmApp(@QueryParam("guest") String guest, @QueryParam("action") String action, @QueryParam("app") String app) {
        try {
            return confirmation(PlannedAction.ofApp(feed.status(), guest, action, app));
        } catch (PlannedAction.Invalid e) {
            return refused(e, guest);
        }
    }

    @POST
    @Path("app")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response writeApp(@FormParam("guest") String guest, @FormParam("action") String action, @FormParam("app") String app) {
        try {
            return write(PlannedAction.ofApp(feed.status(), guest, action, app));
        } catch (PlannedAction.Invalid e) {
            return refused(e, guest);
        }
    }

    private Response confirmation(PlannedAction action) {
        return Response.ok(confirm.data("a", action).data("operator", operator.name()).data("signed", operator.signs())
                .data("topic", operator.guestLog()).data("user", user())).build();
    }

    private Response write(PlannedAction action) throws PlannedAction.Invalid {
        try {
            ActionWriter.Written written = writer.write(action, user());
            return Response.ok(done.data("a", action).data("w", written).data("operator", operator.name())).build();
        } catch (KafkaUnavailableException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(page("Not written: Kafka did not take the request",
                    e.getMessage() + ". Nothing was written; try again once Kafka takes it.", action.guest())).build();
        }
    }

    private Response refused(PlannedAction.Invalid e, String guest) {
        writer.invalid(e.kind());
        return Response.status(Response.Status.BAD_REQUEST).entity(page("This action cannot be asked for", e.getMessage(),
                guest != null && io.guestguard.protocol.Names.valid(guest) ? guest : null)).build();
    }

    private TemplateInstance page(String title, String message, String guest) {
        return problem.data("title", title).data("message", message).data("guest", guest);
    }

    private String user() {
        return identity.getPrincipal().getName();
    }
}
