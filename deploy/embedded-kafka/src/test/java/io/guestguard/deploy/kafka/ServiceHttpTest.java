package io.guestguard.deploy.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceHttpTest {

    private static final URI ANY = URI.create("http://127.0.0.1:1/q/metrics");

    @Test
    void everyRequestAndEveryConnectionHasADeadlineOverHttp11() {
        assertThat(ServiceHttp.request(ANY).build().timeout()).hasValue(Duration.ofSeconds(30));
        for (HttpClient client : new HttpClient[] {ServiceHttp.client(), ServiceHttp.builder().build()}) {
            assertThat(client.connectTimeout()).hasValue(Duration.ofSeconds(10));
            assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
    }

    /** A server that takes the connection and never answers: the request's deadline, not the server, ends the wait. */
    @Test
    @Timeout(10)
    void aServerThatNeverAnswersEndsInATimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { // never accepts: the kernel does
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/q/metrics");
            assertThatThrownBy(() -> ServiceHttp.client().send(ServiceHttp.request(uri).timeout(Duration.ofMillis(300)).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
        }
    }
}
