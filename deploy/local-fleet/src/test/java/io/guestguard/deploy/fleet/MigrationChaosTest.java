package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.ServiceHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos run of {@code ./fleet chaos}, short: 12 live migrations of g1 back and forth, app2 killed
 * before, during or right after each, 3 of them refused by their target, 2 followed at once by the
 * next (before their rebind was answered). No failure is missed, no budget is reset, the guest never
 * runs twice, and contact is re-verified after every migration, failed ones included, without an
 * escalation.
 */
class MigrationChaosTest {

    @Test
    void migrationsWithFailuresAroundThemMissNothingAndResetNothing(@TempDir Path runDir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (BenchFleet bench = BenchFleet.twoHosts(Path.of(System.getProperty("guestguard.home", "../..")), runDir, "2")) {
            Observed observed = new Observed(bench.timeline());
            bench.ready();

            MigrationChaos.Report report = new MigrationChaos(bench.fleet(), observed, 42,
                    new PrintStream(printed, true, StandardCharsets.UTF_8)).run(12, 4, 5, Duration.ofSeconds(60));

            String said = printed.toString(StandardCharsets.UTF_8) + report.summary();
            assertThat(report.stoppedBy()).as(said).isNull();
            assertThat(report.migrations()).as(said).isEqualTo(12);
            assertThat(report.completed()).as(said).isEqualTo(9);
            assertThat(report.failed()).as(said).isEqualTo(3);
            assertThat(report.backToBack()).as("migrations 5 and 10, followed at once by the next\n" + said).isEqualTo(2);
            assertThat(report.failuresInjected()).as(said).isEqualTo(10);
            assertThat(report.missed()).as(said).isZero();
            assertThat(report.budgetResets()).as(said).isZero();
            assertThat(report.doubleRunners()).as(said).isZero();
            assertThat(report.escalations()).as(said).isZero();
            assertThat(report.contactMs()).as("contact re-verified after every migration not followed at once\n" + said)
                    .hasSize(10);
            String metrics = get(bench.fleet().watcherMetricsUrl()).body();
            assertThat(metrics).contains("guestguard_watcher_migrations_total{outcome=\"completed\"} 9.0")
                    .contains("guestguard_watcher_migrations_total{outcome=\"failed\"} 3.0");
            assertThat(value(metrics, "guestguard_watcher_rebinds_sent_total")).as("a rebind after every outcome")
                    .isGreaterThanOrEqualTo(12);
            // A rebind answered before the next migration started is timed too; one superseded is not.
            assertThat(value(metrics, "guestguard_watcher_rebind_latency_seconds_count{trigger=\"migration-completed\"}")
                    + value(metrics, "guestguard_watcher_rebind_latency_seconds_count{trigger=\"migration-failed\"}"))
                    .as("rebinds timed: every migration's not followed at once, and maybe those followed at once")
                    .isBetween(10.0, 12.0);
            String engine = get(bench.fleet().engineMetricsUrl()).body();
            assertThat(value(engine, "guestguard_decisions_total{action=\"MIGRATE\",reason=\"OPERATOR_MIGRATE\"}"))
                    .as("the engine counts each migration it decided").isEqualTo(12);
            assertThat(value(engine, "guestguard_decision_latency_seconds_count")).as("every decision timed from its fact")
                    .isGreaterThanOrEqualTo(12);
            for (String service : List.of("policy-engine", "migration-watcher")) {
                String base = (service.equals("policy-engine") ? bench.fleet().engineMetricsUrl() : bench.fleet().watcherMetricsUrl())
                        .replace("/q/metrics", "/q/health/");
                HttpResponse<String> ready = get(base + "ready");
                assertThat(ready.statusCode()).as(service + " ready after the chaos: " + ready.body()).isEqualTo(200);
                assertThat(ready.body()).contains("\"name\": \"" + service + "\"").contains("Kafka Streams topics health check");
                HttpResponse<String> live = get(base + "live");
                assertThat(live.statusCode()).as(service + " live: " + live.body()).isEqualTo(200);
                assertThat(live.body()).contains("\"state\": \"RUNNING\"");
            }
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return ServiceHttp.get(URI.create(url));
    }

    /** The value of one series on a Prometheus page. */
    private static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1).strip())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + series + " in:\n" + metrics));
    }
}
