package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the newcomer does, on a real fleet: {@code flotilla up} with the sessions example (two
 * instances, child processes) and a {@code serve:} site (two instances, no code) behind the real gateway,
 * on the embedded Redis. One session and a rising view count from both instances; a shared value set
 * through one instance and read from both at once, and streamed to a browser as it changes.
 */
class SessionsFleetTest {

    private final HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(new CookieManager()).build();

    private JsonObject send(String method, String url, String json) throws Exception {
        HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(url))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + url + ": " + response.body()).isBetween(200, 299);
        return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    }

    /** The fleet of this test: its gateway port, the ports of the two sessions and two site instances. */
    private record TestFleet(JavaProcess up, int gateway, List<Integer> sessions, List<Integer> site)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            up.close();
        }
    }

    private static TestFleet startFleet() throws Exception {
        int gateway = Ports.free();
        List<Integer> sessions = List.of(Ports.free(), Ports.free());
        List<Integer> site = List.of(Ports.free(), Ports.free());
        Path repository = Path.of("..").toAbsolutePath().normalize();
        Path file = FleetFiles.write("""
                redis: embedded
                amqp: redis  # these apps use no queues: no broker to start
                registry: {port: %d}
                gateway:
                  port: %d
                  admin-port: %d
                  routes:
                    - {path: /session/**, service: sessions, strip-prefix: true}
                    - {path: /site/**, service: site, strip-prefix: true}
                apps:
                  - name: sessions
                    main: dev.flotilla.examples.sessions.SessionsService
                    instances: 2
                    ready: registered
                    env: {SESSIONS_PUBLIC: %s}
                    instance-env: {"0": {PORT: "%d"}, "1": {PORT: "%d"}}
                  - name: site
                    serve: %s
                    instances: 2
                    instance-env: {"0": {PORT: "%d"}, "1": {PORT: "%d"}}
                """.formatted(Ports.free(), gateway, Ports.free(), repository.resolve("examples/sessions/public"),
                sessions.get(0), sessions.get(1), repository.resolve("examples/site"), site.get(0), site.get(1)));
        JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString());
        try {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(120));
        } catch (Exception | AssertionError e) {
            up.close();
            throw e;
        }
        return new TestFleet(up, gateway, sessions, site);
    }

    @Test
    void oneSessionAndSharedDataAcrossInstancesBehindTheGateway() throws Exception {
        try (TestFleet fleet = startFleet()) {
            int gateway = fleet.gateway();
            List<Integer> sessions = fleet.sessions();
            List<Integer> site = fleet.site();
            String api = "http://127.0.0.1:" + gateway + "/session";

            JsonObject login = send("POST", api + "/login", "{\"user\":\"ada\"}");
            assertThat(login.getString("user")).isEqualTo("ada");
            Set<String> instances = new HashSet<>();
            for (int views = 1; views <= 6; views++) {
                JsonObject me = send("GET", api + "/me", null);
                assertThat(me.getString("user")).isEqualTo("ada");
                assertThat(me.getLong("views")).isEqualTo(views);
                instances.add(me.getString("instance"));
            }
            assertThat(instances).as("round-robin, no stickiness").containsExactlyInAnyOrder("sessions-0", "sessions-1");
            send("PUT", api + "/cart/apple", "3");
            send("PUT", api + "/cart/pear", "{\"ripe\":true}");
            assertThat(send("GET", api + "/cart", null).getJsonObject("items"))
                    .isEqualTo(new JsonObject().put("apple", 3).put("pear", new JsonObject().put("ripe", true)));

            BlockingQueue<String> events = stream(api + "/shared/events");
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("event: snapshot");

            long version = send("PUT", api + "/shared/theme", "{\"color\":\"teal\"}").getLong("version");
            for (int port : sessions) {
                Eventually.await("instance on " + port + " has the value", Duration.ofSeconds(2), () -> {
                    try {
                        JsonObject value = send("GET", "http://127.0.0.1:" + port + "/shared/theme", null);
                        return value.getLong("version") == version
                                && value.getJsonObject("value").getString("color").equals("teal");
                    } catch (Exception | AssertionError notYet) {
                        return false;
                    }
                });
            }
            String change = nextData(events, "event: change");
            assertThat(new JsonObject(change).getString("key")).isEqualTo("theme");
            assertThat(new JsonObject(change).getLong("version")).isEqualTo(version);

            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(api + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).contains("One session, shared data, every instance");
            for (int port : site) {
                HttpResponse<String> index = browser.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(index.body()).contains("The demo fleet");
                assertThat(index.headers().firstValue("ETag")).isPresent();
            }
            assertThat(browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway + "/site/"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).contains("The demo fleet");

            send("POST", api + "/logout", null);
            assertThat(send("GET", api + "/me", null).getString("user")).as("logged out everywhere").isNull();
        }
    }

    /**
     * The page in a real browser (Debian's headless Chromium through its chromedriver), through the gateway:
     * log in, count views across instances, put a shared value, and see a value set on the other instance
     * appear on the page by itself (Server-Sent Events).
     */
    @Test
    void thePageShowsTheSessionAndSharedValuesLiveInABrowser() throws Exception {
        try (TestFleet fleet = startFleet()) {
            ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                    .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
            WebDriver page = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(10));
                page.get("http://127.0.0.1:" + fleet.gateway() + "/session/");
                wait.until(d -> !d.findElement(By.id("streaming")).getText().equals("…"));

                page.findElement(By.name("user")).sendKeys("ada");
                page.findElement(By.cssSelector("#login button")).click();
                wait.until(d -> d.findElement(By.id("whoami")).getText().contains("\"user\":\"ada\""));
                assertThat(page.manage().getCookieNamed("flotilla.sid").isHttpOnly()).isTrue();
                Set<String> instances = new HashSet<>();
                for (int views = 1; views <= 4; views++) {
                    page.findElement(By.id("me")).click();
                    String expected = "\"views\":" + views + ",";
                    wait.until(d -> d.findElement(By.id("whoami")).getText().contains(expected));
                    instances.add(new JsonObject(page.findElement(By.id("whoami")).getText()).getString("instance"));
                }
                assertThat(instances).containsExactlyInAnyOrder("sessions-0", "sessions-1");

                page.findElement(By.name("key")).sendKeys("color");
                page.findElement(By.name("value")).sendKeys("\"teal\"");
                page.findElement(By.cssSelector("#share button")).click();
                wait.until(d -> d.findElement(By.id("values")).getText().contains("color \"teal\""));

                // Set on each instance directly: the page streams from one of them and hears both.
                send("PUT", "http://127.0.0.1:" + fleet.sessions().get(0) + "/shared/mode", "\"dark\"");
                send("PUT", "http://127.0.0.1:" + fleet.sessions().get(1) + "/shared/size", "12");
                wait.until(d -> d.findElement(By.id("values")).getText().contains("mode \"dark\"")
                        && d.findElement(By.id("values")).getText().contains("size 12"));
            } finally {
                page.quit();
            }
        }
    }

    /** The lines of a Server-Sent Events stream, read on a thread of their own. */
    private BlockingQueue<String> stream(String url) throws Exception {
        HttpResponse<InputStream> response = browser.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (Exception closed) {
                // the fleet went down
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String nextData(BlockingQueue<String> lines, String event) throws InterruptedException {
        for (String line = lines.poll(10, TimeUnit.SECONDS); line != null; line = lines.poll(10, TimeUnit.SECONDS)) {
            if (line.equals(event)) {
                String data = lines.poll(10, TimeUnit.SECONDS);
                assertThat(data).startsWith("data: ");
                return data.substring(6);
            }
        }
        throw new AssertionError("no " + event + " within 10 s");
    }
}
