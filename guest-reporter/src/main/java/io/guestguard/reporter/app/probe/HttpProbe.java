package io.guestguard.reporter.app.probe;

import io.guestguard.protocol.Durations;
import io.guestguard.reporter.config.ProbeSpec;

import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Healthy when a GET answers with the expected status within the timeout; the body is discarded.
 * The timeout covers the whole exchange, connecting included.
 */
final class HttpProbe implements Probe {

    private final ProbeSpec.Http target;
    private final Supplier<HttpClient> client;

    HttpProbe(ProbeSpec.Http target, Supplier<HttpClient> client) {
        this.target = target;
        this.client = client;
    }

    @Override
    public Result check(Duration timeout) {
        String what = "http " + target.url();
        HttpRequest request = HttpRequest.newBuilder(target.url()).timeout(timeout).GET().build();
        CompletableFuture<HttpResponse<Void>> response = client.get().sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            int status = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
            return status == target.status() ? Result.healthy(null)
                    : Result.failed(what + ": status " + status + ", expected " + target.status(), null);
        } catch (TimeoutException e) {
            response.cancel(true);
            return Result.failed(what + ": timed out after " + Durations.format(timeout.toMillis()), null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return Result.failed(what + ": timed out after " + Durations.format(timeout.toMillis()), null);
            }
            String reason = cause instanceof ConnectException ? "connection refused"
                    : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return Result.failed(what + ": " + reason, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.cancel(true);
            return Result.failed(what + ": interrupted", null);
        }
    }
}
