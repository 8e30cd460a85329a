package io.guestguard.deploy.kafka;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP to a service under test (its pages, {@code /q/health}, {@code /q/metrics}): every test's client
 * and request come from here, so none of them can wait forever.
 *
 * <p>A scrape of an idle Quarkus service once waited forever for its answer (CI, 2026-12-07). HTTP/1.1
 * leaves out the JDK client's default h2c upgrade of the first request, the likeliest suspect, and no
 * request waits longer than {@link #TIMEOUT}: a lost answer fails the test instead of hanging the build.
 */
public final class ServiceHttp {

    /** The longest wait for a connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest wait for an answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final HttpClient CLIENT = builder().build();

    private ServiceHttp() {
    }

    /** A client preset with HTTP/1.1 and {@link #CONNECT_TIMEOUT}, for a test that adds to it (e.g. a cookie handler). */
    public static HttpClient.Builder builder() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT);
    }

    /** The shared client of {@link #builder()}, for requests that need no state of their own. */
    public static HttpClient client() {
        return CLIENT;
    }

    /** A request to {@code uri} that waits at most {@link #TIMEOUT}. */
    public static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    }

    /** GETs {@code uri} with the shared client; the body as a string. */
    public static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return CLIENT.send(request(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
