package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppStarted;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17, points 3 and 4: the console in a real browser (Debian's chromium and chromedriver, driven
 * by Selenium, headless) on the real two-host fleet. Signed in as the fleet's viewer, the first page
 * shows the three guests on primary; each {@code kill -9} of g1's app1 shows in the page's timeline as
 * its restart, without a reload; after Figure 16's third kill (restart limit 2) the page shows g1 on
 * standby, and the failover's cause link opens g1's history at the third kill's {@code app.failed}. An
 * unsigned record written with a plain producer shows on the open dead-letter page with the engine's
 * reason. The viewer has no action to press, and a POST of one from their session is refused (403).
 * Signed in as the fleet's operator, stopping g3's app2 goes through its confirmation, and the
 * engine's decision, naming who asked, appears live in g3's page opened beforehand. Screenshots go to
 * {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    /** A decision shows in the timeline within this of the kill (the issue asks for 2 s; measured and printed). */
    private static final Duration LIVE = Duration.ofSeconds(5);
    private static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void theTimelineShowsEachRestartLiveAndTheFleetViewTheFailover(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2", LocalFleet.Options.DEFAULT.withConsole())) {
            LocalFleet fleet = bench.fleet();
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            long app1 = startedPid(observed, 0, "g1", "app1");
            String console = fleet.consoleUrl();
            WebDriver browser = browser(runDir.resolve("chromium-profile"));
            try {
                signIn(browser, console, ConsoleUsers.VIEWER, fleet.consoleUsers().password(ConsoleUsers.VIEWER));
                assertThat(browser.findElement(By.id("whoami")).getText()).contains("Signed in as viewer");
                for (String guest : LocalFleet.GUESTS) {
                    await(guest + " shown running on primary").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                            .ignoreExceptions().until(() -> cell(browser, guest, "host").equals("primary")
                                    && cell(browser, guest, "phase").equals("RUNNING"));
                }
                assertThat(cell(browser, "g1", "apps")).contains("app1 0/2").contains("app2 0/unlimited");
                screenshot(browser, "fleet-running.png");
                // A page that reloads loses this mark: the updates below must come without one.
                ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");

                for (int kill = 1; kill <= 3; kill++) {
                    int before = observed.mark();
                    long killedAt = System.nanoTime();
                    kill9(app1);
                    String expected = kill <= 2 ? "restart_app" : "failover";
                    int lines = kill <= 2 ? kill : 1;
                    await("kill " + kill + " of g1/app1 in the page's timeline as " + expected).atMost(LIVE)
                            .pollInterval(Duration.ofMillis(20)).ignoreException(StaleElementReferenceException.class)
                            .until(() -> timeline(browser, "g1/app1", expected).size() >= lines);
                    long shown = System.nanoTime();
                    System.out.printf("console: kill -9 %d of g1/app1 (kill %d) shown in the timeline as %s %d ms after the kill%n",
                            app1, kill, expected, Observed.millis(killedAt, shown));
                    if (kill <= 2) {
                        assertThat(timeline(browser, "g1/app1", expected).get(0).getText())
                                .as("newest first, with its reason").contains("app1 failed (SIGKILL)");
                        app1 = startedPid(observed, before, "g1", "app1");
                    }
                }
                await("g1 shown running on standby").atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> cell(browser, "g1", "host").equals("standby") && cell(browser, "g1", "phase").equals("RUNNING"));
                assertThat(cell(browser, "g2", "host")).isEqualTo("primary");
                assertThat(timeline(browser, "g1/app1", "failover").get(0).getText())
                        .contains("its restart limit of 2 is used up, so g1 fails over from primary to standby");
                assertThat(cell(browser, "g1", "apps")).as("a new placement, a new budget").contains("app1 0/2");
                assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"))
                        .as("the page was not reloaded").isEqualTo(true);
                screenshot(browser, "fleet-after-failover.png");

                // The failover came live (no reload): its cause link, made by the page's script, opens g1's
                // history at the fact that caused it, the third kill's app.failed.
                WebElement cause = timeline(browser, "g1/app1", "failover").get(0).findElement(By.cssSelector("a.cause"));
                String causeId = cause.getAttribute("title");
                assertThat(cause.getAttribute("href")).endsWith("/guests/g1/history#" + causeId);
                cause.click();
                await("g1's history at the failover's cause").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> browser.getCurrentUrl().endsWith("/guests/g1/history#" + causeId)
                                && !browser.findElements(By.id(causeId)).isEmpty());
                WebElement fact = browser.findElement(By.id(causeId));
                assertThat(((JavascriptExecutor) browser).executeScript("var t = document.querySelector(':target'); return t && t.id;"))
                        .as("the link's target is the fact").isEqualTo(causeId);
                assertThat(fact.getAttribute("data-type")).isEqualTo("app.failed");
                assertThat(fact.getText()).contains("app.failed").contains("g1/app1").contains("failed (SIGKILL, pid " + app1 + ")")
                        .contains("failover").contains("its restart limit of 2 is used up");
                screenshot(browser, "guest-g1-history.png");

                browser.get(console + "guests/g1");
                assertThat(browser.findElement(By.cssSelector("#guest td.host")).getText()).isEqualTo("standby");
                assertThat(browser.findElements(By.cssSelector("#timeline li.decision")))
                        .as("only g1's decisions").allSatisfy(li -> assertThat(li.getAttribute("data-guest")).isEqualTo("g1"))
                        .extracting(WebElement::getText).anySatisfy(text -> assertThat(text).contains("failover"));
                screenshot(browser, "guest-g1.png");

                // A record no principal signed, written with a plain producer as kcat would: the engine
                // refuses it, and the open dead-letter page shows it with its reason, without a reload.
                browser.get(console + "dead-letters");
                ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
                String forged = "browser-forged-lost";
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                        new StringSerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(fleet.topics().guestLog(), "g3", ("""
                            {"specversion":"1.0","id":"%s","source":"/kcat","type":"io.guestguard.host.lost.v1",\
                            "time":"%s","datacontenttype":"application/json","guestid":"g3","data":{"host":"primary"}}"""
                            .formatted(forged, Instant.now())).getBytes(StandardCharsets.UTF_8))).get();
                }
                By engineLetter = By.xpath("//table[@id='dead-letters']//tr[td[@class='event']='" + forged
                        + "' and td[@class='service']='policy-engine']");
                await("the unsigned record on the dead-letter page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .ignoreException(StaleElementReferenceException.class).until(() -> !browser.findElements(engineLetter).isEmpty());
                WebElement letter = browser.findElement(engineLetter);
                assertThat(letter.findElement(By.className("reason")).getText()).isEqualTo("unsigned: the event has no dssematerial");
                assertThat(letter.findElement(By.className("type")).getText()).isEqualTo("host.lost");
                assertThat(letter.findElement(By.className("guest")).getText()).isEqualTo("g3");
                assertThat(letter.findElement(By.className("origin")).getText()).startsWith(fleet.topics().guestLog() + "-");
                assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"))
                        .as("the letter came live").isEqualTo(true);
                screenshot(browser, "dead-letters.png");
                browser.get(console + "dead-letters?service=policy-engine&reason=dssematerial");
                assertThat(browser.findElements(engineLetter)).as("kept by the filters, server-side").hasSize(1);
                browser.get(console + "dead-letters?reason=not+authorized");
                assertThat(browser.findElements(engineLetter)).as("left out by a reason it does not have").isEmpty();

                aViewerCannotAct(browser, console);
                browser.get(console + "logout");
                signIn(browser, console, ConsoleUsers.OPERATOR, fleet.consoleUsers().password(ConsoleUsers.OPERATOR));
                anOperatorStopsAnApplicationThroughItsConfirmation(browser, console);
            } finally {
                browser.quit();
            }
        }
    }

    /** The viewer's g3 page has no action, and a POST of one from their signed-in page is a 403. */
    private static void aViewerCannotAct(WebDriver browser, String console) throws IOException {
        browser.get(console + "guests/g3");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Guest g3");
        assertThat(browser.findElements(By.cssSelector("#actions, button, form[action^='/actions']"))).as("no action for a viewer").isEmpty();
        Object status = ((JavascriptExecutor) browser).executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "fetch('/actions/app', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
                + " body: 'guest=g3&action=stop&app=app2', redirect: 'manual'}).then(function (r) { done(r.status); });");
        assertThat(((Number) status).intValue()).as("a viewer's POST of an action").isEqualTo(403);
        screenshot(browser, "viewer-g3.png");
    }

    /**
     * g3's page opened in a tab of its own first, then app2 stopped from another through the
     * confirmation: the decision appears in the first tab without a reload.
     */
    private static void anOperatorStopsAnApplicationThroughItsConfirmation(WebDriver browser, String console) throws IOException {
        browser.get(console + "guests/g3");
        String watching = browser.getWindowHandle();
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
        assertThat(timeline(browser, "g3/app2", "stop_app")).isEmpty();

        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(console + "guests/g3");
        browser.findElement(By.id("act-stop-app2")).click();
        // A click starts the navigation without waiting for it: wait for the confirmation page itself.
        await("the confirmation page").atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().until(() -> browser.findElement(By.tagName("h1")).getText().equals("Confirm: Stop app2 in g3"));
        assertThat(browser.findElement(By.id("what")).getText()).startsWith("Stop application app2 in guest g3 (on primary).");
        assertThat(browser.findElement(By.id("how")).getText()).contains("signed as operator console").contains("on behalf of you, ops");
        screenshot(browser, "operator-confirm-stop-g3-app2.png");
        browser.findElement(By.id("confirm")).click();
        await("the page saying the request was written").atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().until(() -> !browser.findElement(By.id("request-id")).getText().isBlank());
        String requestId = browser.findElement(By.id("request-id")).getText();
        assertThat(requestId).isNotBlank();
        assertThat(browser.findElement(By.id("guest-link")).getAttribute("href")).endsWith("/guests/g3");
        screenshot(browser, "operator-asked-stop-g3-app2.png");

        browser.switchTo().window(watching);
        await("g3/app2's stop decision in the open page").atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .ignoreException(StaleElementReferenceException.class)
                .until(() -> !timeline(browser, "g3/app2", "stop_app").isEmpty());
        assertThat(timeline(browser, "g3/app2", "stop_app").get(0).getText()).contains("operator ops via console stops app2 in g3 on primary");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"))
                .as("the page was not reloaded").isEqualTo(true);
        screenshot(browser, "operator-g3-app2-stopped.png");
    }

    /** Signs in through the console's login form, where any first page leads. */
    private static void signIn(WebDriver browser, String console, String user, String password) {
        browser.get(console);
        assertThat(browser.getCurrentUrl()).endsWith("/login.html");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login")).click();
        try {
            await(user + " signed in").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> !browser.findElements(By.id("whoami")).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(user + " not signed in: the browser is at " + browser.getCurrentUrl() + ", showing: "
                    + browser.findElement(By.tagName("body")).getText(), e);
        }
    }

    /** Debian's chromium through its chromedriver, both named, so Selenium downloads nothing; nothing leaves the machine. */
    private static WebDriver browser(Path profile) throws IOException {
        for (Path installed : List.of(CHROMIUM, CHROMEDRIVER)) {
            assertThat(Files.isExecutable(installed)).as(installed + " is missing: install Debian's chromium and chromium-driver "
                    + "(apt-get install -y chromium chromium-driver; .ci/run does)").isTrue();
        }
        Files.createDirectories(profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=1400,1000");
        return new ChromeDriver(service, options);
    }

    /** The text of the fleet view's cell {@code column} in {@code guest}'s row. */
    private static String cell(WebDriver browser, String guest, String column) {
        return browser.findElement(By.cssSelector("#guests tr[data-guest='" + guest + "'] td." + column)).getText();
    }

    /** The timeline's lines about {@code subject} with {@code action}, newest first. */
    private static List<WebElement> timeline(WebDriver browser, String subject, String action) {
        return browser.findElements(By.cssSelector("#timeline li.decision." + action)).stream()
                .filter(li -> li.findElement(By.className("subject")).getText().equals(subject)).toList();
    }

    private static void kill9(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -9 " + pid).isZero();
    }

    private static void screenshot(WebDriver browser, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** The pid of {@code guest}'s {@code app} the first time it is reported started after {@code from}. */
    private static long startedPid(Observed observed, int from, String guest, String app) throws InterruptedException {
        return ((AppStarted) observed.await(from, e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s
                && s.app().equals(app) && s.pid() != null, Observed.deadline(DEADLINE), guest + "/" + app + " started").event().data()).pid();
    }
}
