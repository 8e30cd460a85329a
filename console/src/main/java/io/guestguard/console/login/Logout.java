package io.guestguard.console.login;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;

/**
 * Signing out: form login keeps the session in an encrypted cookie, so signing out is that cookie
 * expired (HTTP Basic has no sign-out: close the browser).
 */
@Path("/logout")
public class Logout {

    private final String cookie;

    public Logout(@ConfigProperty(name = "quarkus.http.auth.form.cookie-name", defaultValue = "quarkus-credential") String cookie) {
        this.cookie = cookie;
    }

    @GET
    public Response logout() {
        return Response.seeOther(URI.create("/login.html"))
                .cookie(new NewCookie.Builder(cookie).value("").path("/").maxAge(0).httpOnly(true).build()).build();
    }
}
