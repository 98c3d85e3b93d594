package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The observability issue's newcomer, end to end: {@code flotilla up}, the dashboard in a real headless Chromium
 * (Debian's) shows the services live; one request through the gateway to greeter and on to users is one trace
 * (the gateway's, greeter's and users' spans, joined with no help from the handler) and opens as a waterfall;
 * {@code flotilla logs --trace} finds its lines in both apps; an instance killed with {@code -9} shows DOWN and
 * comes back, and the alert on it fires to a webhook and resolves; and a real Prometheus (Debian's) discovers
 * the whole fleet through the registry and scrapes it, supervisor figures included, with {@code promtool check
 * metrics} accepting every process's output.
 */
class DashboardFleetTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TRACE = "5ce0e9a56015fec5aadfa328ae398115";

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aNewcomerSeesTheFleetFollowsARequestAndSeesAnAlertFire() throws Exception {
        List<JsonObject> webhook = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> otlp = new CopyOnWriteArrayList<>();
        receiver.createContext("/v1/traces", exchange -> { // an OpenTelemetry collector's OTLP/HTTP intake
            exchange.getRequestBody().readAllBytes();
            otlp.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.createContext("/alerts", exchange -> {
            webhook.add(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                    .put("receivedAtMs", System.currentTimeMillis()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        int registry = Ports.free();
        int gateway = Ports.free();
        int dashboardPort = Ports.free();
        int admin = Ports.free();
        Path file = FleetFiles.write("""
                redis: embedded
                amqp: redis  # these apps use no queues: no broker to start
                registry: {port: %d}
                gateway:
                  port: %d
                  admin-port: %d
                  routes:
                    - {id: greet, path: /api/greet/**, service: greeter, rewrite: /greet}
                dashboard: {port: %d, token: s3cr3t}
                otlp: http://127.0.0.1:%d
                alert-webhook: http://127.0.0.1:%d/alerts
                alerts:
                  - name: users-down
                    instances-up: {service: users, below: 2}
                    for: 1s
                    severity: critical
                apps:
                  - {name: users, main: dev.flotilla.examples.users.UsersService, instances: 2, port: %d,
                     ready: registered}
                  - {name: greeter, main: dev.flotilla.examples.greeter.GreeterService, port: %d, ready: registered}
                """.formatted(registry, gateway, admin, dashboardPort, receiver.getAddress().getPort(),
                receiver.getAddress().getPort(), Ports.free(), Ports.free()));
        String dashboard = "http://127.0.0.1:" + dashboardPort + "/";
        WebDriver browser = null;
        Process prometheus = null;
        Path work = Files.createTempDirectory("dashboard-test-");
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(120));
            assertThat(up.awaitLine("  dashboard  http://", Duration.ofSeconds(5))).isEqualTo("  dashboard  "
                    + dashboard);

            // The page shows both services, live.
            browser = browser();
            browser.get(dashboard);
            // The page redraws every second: an element found a moment ago may be gone, and is found again.
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(StaleElementReferenceException.class);
            wait.until(page -> page.findElements(By.cssSelector("[data-service='users'] [data-status='UP']"))
                    .size() == 2 && !page.findElements(By.cssSelector("[data-service='greeter'] [data-status='UP']"))
                    .isEmpty());
            wait.until(page -> page.findElement(By.id("live")).getText().equals("live"));

            // One request, one trace across three processes, its ids passed by Vert.x alone.
            HttpResponse<String> greeting = send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway + "/api/greet/1"))
                    .header("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01"));
            assertThat(greeting.statusCode()).isEqualTo(404); // no user 1: users answered, greeter passed it on
            JsonArray[] spans = new JsonArray[1];
            Eventually.check("the trace's spans from the gateway, greeter and users", Duration.ofSeconds(15), () -> {
                HttpResponse<String> trace = send(HttpRequest.newBuilder(URI.create(dashboard + "api/traces/" + TRACE)));
                if (trace.statusCode() != 200) {
                    return false;
                }
                spans[0] = new JsonObject(trace.body()).getJsonArray("spans");
                return services(spans[0]).containsAll(List.of("gateway", "greeter", "users")) && spans[0].size() >= 4;
            });
            JsonObject gatewayServer = span(spans[0], "gateway", "SERVER");
            JsonObject greeterServer = span(spans[0], "greeter", "SERVER");
            JsonObject greeterClient = span(spans[0], "greeter", "CLIENT");
            JsonObject usersServer = span(spans[0], "users", "SERVER");
            assertThat(gatewayServer.getString("parentSpanId")).isEqualTo("00f067aa0ba902b7");
            assertThat(gatewayServer.getString("name")).isEqualTo("GET /api/greet/**");
            assertThat(greeterServer.getString("parentSpanId")).isEqualTo(gatewayServer.getString("spanId"));
            assertThat(greeterServer.getString("name")).isEqualTo("GET /greet/:id");
            assertThat(greeterClient.getString("parentSpanId")).isEqualTo(greeterServer.getString("spanId"));
            assertThat(usersServer.getString("parentSpanId")).isEqualTo(greeterClient.getString("spanId"));
            assertThat(usersServer.getJsonObject("attributes").getString("http.route")).isEqualTo("/users/:id");
            assertThat(usersServer.getJsonObject("attributes").getString("http.response.status_code"))
                    .isEqualTo("404");

            // The trace opens as a waterfall on the page.
            wait.until(page -> !page.findElements(By.cssSelector("[data-trace='" + TRACE + "']")).isEmpty());
            wait.until(page -> {
                page.findElement(By.cssSelector("[data-trace='" + TRACE + "']")).click();
                return true;
            });
            wait.until(page -> page.findElements(By.cssSelector("#waterfall .span-row")).size() == spans[0].size());
            assertThat(browser.findElements(By.cssSelector("#waterfall .span-row[data-service='users']")))
                    .isNotEmpty();

            // A process's live log on the page.
            wait.until(page -> {
                page.findElement(By.cssSelector("[data-process='greeter#0']")).click();
                return true;
            });
            wait.until(page -> page.findElement(By.id("log")).getText().contains("greeting user 1"));

            // ... and its lines are found in both apps' logs.
            Eventually.check("flotilla logs --trace finds greeter's and users' lines", Duration.ofSeconds(10), () -> {
                String lines = flotilla("logs", "--file", file.toString(), "--trace", TRACE);
                return lines.contains("greeting user 1") && lines.contains("user 1 not found");
            });
            String lines = flotilla("logs", "--file", file.toString(), "--trace", TRACE);
            assertThat(lines.indexOf("greeting user 1")).isLessThan(lines.indexOf("user 1 not found"));

            // The same spans went to the collector too, as OTLP (protobuf).
            Eventually.await("spans exported over OTLP", Duration.ofSeconds(10), () -> !otlp.isEmpty());
            assertThat(otlp).contains("application/x-protobuf");

            // Actions need the control plane's token.
            HttpResponse<String> drain = send(HttpRequest.newBuilder(URI.create(dashboard
                    + "api/instances/users-0/drain")).POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(drain.statusCode()).isEqualTo(401);
            assertThat(new JsonObject(drain.body()).getString("error")).isEqualTo("unauthorized");

            // A real Prometheus finds every process through the registry.
            int prometheusPort = Ports.free();
            Path config = Files.writeString(work.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: flotilla
                        http_sd_configs:
                          - {url: "http://127.0.0.1:%d/v1/prometheus/targets", refresh_interval: 1s}
                    """.formatted(registry));
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--web.listen-address=127.0.0.1:" + prometheusPort, "--storage.tsdb.path=" + work.resolve("tsdb"))
                    .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
            String prometheusUrl = "http://127.0.0.1:" + prometheusPort;
            Eventually.check("Prometheus scrapes users, greeter and the control plane (log "
                    + work.resolve("prometheus.log") + ")", Duration.ofSeconds(40), () ->
                    query(prometheusUrl, "sum by (service) (up)").size() >= 5
                            && query(prometheusUrl, "flotilla_process_restarts_total{app=\"users\"}").size() == 2
                            && !query(prometheusUrl, "http_server_requests_seconds_count{service=\"users\"}").isEmpty());
            JsonArray targets = query(prometheusUrl, "sum by (service) (up)");
            assertThat(targets.stream().map(r -> ((JsonObject) r).getJsonObject("metric").getString("service")))
                    .contains("users", "greeter", "flotilla-registry", "flotilla-gateway", "flotilla-supervisor");
            JsonObject state = new JsonObject(get(dashboard + "api/state"));
            for (Object p : state.getJsonArray("processes")) {
                JsonObject process = (JsonObject) p;
                if (process.getString("app").equals("greeter")) {
                    promtoolAccepts(get("http://127.0.0.1:" + process.getInteger("port") + "/metrics"), work);
                }
            }
            promtoolAccepts(get(dashboard + "metrics"), work);
            promtoolAccepts(get("http://127.0.0.1:" + registry + "/metrics"), work);
            promtoolAccepts(get("http://127.0.0.1:" + admin + "/metrics"), work);

            // Kill an instance: DOWN on the page, then back UP once the supervisor has restarted it.
            long pid = state.getJsonArray("processes").stream().map(p -> (JsonObject) p)
                    .filter(p -> p.getString("app").equals("users") && p.getInteger("slot") == 0)
                    .findFirst().orElseThrow().getLong("pid");
            long killedAtMs = System.currentTimeMillis();
            new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
            wait.until(page -> !page.findElement(By.cssSelector("[data-instance='users-0']"))
                    .getAttribute("data-status").equals("UP"));
            long downShownMs = System.currentTimeMillis() - killedAtMs;
            wait.withTimeout(Duration.ofSeconds(60)).until(page -> page.findElement(
                    By.cssSelector("[data-instance='users-0']")).getAttribute("data-status").equals("UP"));
            // The supervisor counts the restart, and the page shows it.
            wait.until(page -> page.findElements(By.cssSelector("[data-process='users#0'] td")).get(5).getText()
                    .equals("1"));

            // Stop an instance: fewer than 2 UP for longer than the rule's 1 s, so it fires to the webhook and on
            // the page. (Nothing fired while the fleet was starting; the kill above may have fired and resolved,
            // if the restart took over a second.)
            assertThat(webhook.stream().filter(w -> w.getLong("receivedAtMs") < killedAtMs)).isEmpty();
            Thread.sleep(1_500); // a resolution of the kill's alert, if any, is sent by now
            long stoppedAtMs = System.currentTimeMillis();
            assertThat(flotilla("stop", "-f", file.toString(), "users-1")).contains("users-1");
            Eventually.await("the users-down alert reaches the webhook", Duration.ofSeconds(30),
                    () -> firstAfter(webhook, "firing", stoppedAtMs) != null);
            JsonObject fired = firstAfter(webhook, "firing", stoppedAtMs);
            assertThat(fired.getJsonArray("alerts").getJsonObject(0).getJsonObject("labels").getString("alertname"))
                    .isEqualTo("users-down");
            wait.until(page -> !page.findElements(By.cssSelector(".alert.firing[data-alert='users-down']")).isEmpty());
            long firedMs = fired.getLong("receivedAtMs") - stoppedAtMs;
            saveScreenshot(browser, "dashboard-alert.png");

            flotilla("restart", "-f", file.toString(), "users");
            Eventually.await("the alert resolves", Duration.ofSeconds(60),
                    () -> firstAfter(webhook, "resolved", fired.getLong("receivedAtMs")) != null);
            wait.until(page -> page.findElements(By.cssSelector(".alert.firing")).isEmpty());
            // With the token, an instance is drained from the dashboard: DRAINING in the registry and on the page.
            HttpResponse<String> drained = send(HttpRequest.newBuilder(URI.create(dashboard
                    + "api/instances/greeter-0/drain")).header("Authorization", "Bearer s3cr3t")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(drained.statusCode()).as(drained.body()).isEqualTo(200);
            wait.until(page -> page.findElement(By.cssSelector("[data-instance='greeter-0']"))
                    .getAttribute("data-status").equals("DRAINING"));
            System.out.printf("dashboard: instance killed -> DOWN on the page in %d ms; instance stopped -> alert"
                    + " (for: 1s) at the webhook in %d ms%n", downShownMs, firedMs);
            saveScreenshot(browser, "dashboard.png");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
            receiver.stop(0);
        }
    }

    /** The first webhook call with {@code status} received after {@code afterMs}, or null. */
    private static JsonObject firstAfter(List<JsonObject> webhook, String status, long afterMs) {
        return webhook.stream().filter(w -> w.getString("status").equals(status)
                && w.getLong("receivedAtMs") > afterMs).findFirst().orElse(null);
    }

    private static List<String> services(JsonArray spans) {
        return spans.stream().map(s -> ((JsonObject) s).getString("service")).distinct().collect(Collectors.toList());
    }

    private static JsonObject span(JsonArray spans, String service, String kind) {
        return spans.stream().map(s -> (JsonObject) s)
                .filter(s -> service.equals(s.getString("service")) && kind.equals(s.getString("kind")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " span of " + service + " in "
                        + spans.encodePrettily()));
    }

    private static JsonArray query(String prometheus, String promql) throws Exception {
        return new JsonObject(get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(promql,
                StandardCharsets.UTF_8))).getJsonObject("data").getJsonArray("result");
    }

    private static void promtoolAccepts(String metrics, Path work) throws Exception {
        Path file = Files.writeString(work.resolve("metrics.txt"), metrics);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as(output).isZero();
    }

    private static String flotilla(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = Flotilla.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        cli.execute(args);
        return out.toString();
    }

    private static WebDriver browser() throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--window-size=1400,1800",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Kept in target/ for a person to look at. */
    private static void saveScreenshot(WebDriver browser, String name) throws Exception {
        Files.write(Path.of("target", name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
