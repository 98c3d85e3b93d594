package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Seed 004 as the newcomer sees it: {@code flotilla up} with the chat on two instances behind the
 * gateway, and two browser tabs (Debian's headless Chromium) landed on different instances. A message typed
 * in one appears in the other. One tab cannot open WebSockets, so it stays on long-polling, which works
 * through the gateway because the gateway pins it to its instance.
 */
class ChatFleetTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @Test
    void twoTabsOnTwoInstancesChatAndOneOfThemOnlyPolls() throws Exception {
        Path client = REPOSITORY.resolve("examples/chat/node_modules/socket.io-client/dist/socket.io.min.js");
        assertThat(client).as("the browser client: run npm ci --prefix examples/chat (.ci/run does)").exists();
        int gateway = Ports.free();
        Path file = FleetFiles.write("""
                redis: embedded
                amqp: redis  # these apps use no queues: no broker to start
                registry: {port: %d}
                gateway:
                  port: %d
                  admin-port: %d
                  routes:
                    - {path: /chat/**, service: chat, strip-prefix: true}
                    - {path: /socket.io/**, service: chat, sticky-cookie: flotilla-chat}
                apps:
                  - name: chat
                    main: dev.flotilla.examples.chat.ChatService
                    instances: 2
                    ready: registered
                    env: {CHAT_PUBLIC: %s, CHAT_CLIENT: %s}
                    instance-env: {"0": {PORT: "%d"}, "1": {PORT: "%d"}}
                """.formatted(Ports.free(), gateway, Ports.free(), REPOSITORY.resolve("examples/chat/public"),
                client, Ports.free(), Ports.free()));
        List<WebDriver> tabs = new ArrayList<>();
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(120));
            String url = "http://127.0.0.1:" + gateway + "/chat/";

            WebDriver websocketTab = browser(tabs);
            websocketTab.get(url);
            String firstInstance = instanceOf(websocketTab, "websocket");

            // The second tab cannot open WebSockets (as behind a proxy that refuses them), and must land on the
            // other instance: a new browser each time, until round-robin puts it there.
            WebDriver pollingTab = null;
            for (int attempt = 0; attempt < 6 && pollingTab == null; attempt++) {
                WebDriver candidate = browser(tabs);
                // Chromium's request blocking does not cover WebSockets: every WebSocket fails instead, before
                // the page's scripts run, as it would behind a proxy that refuses them.
                ((ChromeDriver) candidate).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                        Map.of("source", "window.WebSocket = function () { throw new Error('blocked'); };"));
                candidate.get(url);
                if (!instanceOf(candidate, "polling").equals(firstInstance)) {
                    pollingTab = candidate;
                }
            }
            assertThat(pollingTab).as("a tab on the other instance").isNotNull();

            say(websocketTab, "hello from the WebSocket tab");
            waitForMessage(pollingTab, "hello from the WebSocket tab");
            say(pollingTab, "and hello back, by long-polling");
            waitForMessage(websocketTab, "and hello back, by long-polling");
            new WebDriverWait(pollingTab, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("delivery"))
                    .getText().startsWith("delivered by instance chat-"));
            assertThat(pollingTab.findElement(By.id("status")).getText()).endsWith("over polling");
            assertThat(websocketTab.findElement(By.id("messages")).getText())
                    .contains("via " + firstInstance).contains("via chat-");
        } finally {
            tabs.forEach(WebDriver::quit);
        }
    }

    private static WebDriver browser(List<WebDriver> tabs) throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        tabs.add(driver);
        return driver;
    }

    /** Waits until the page says it is connected over {@code transport}; returns the instance it names. */
    private static String instanceOf(WebDriver tab, String transport) {
        WebDriverWait wait = new WebDriverWait(tab, Duration.ofSeconds(15));
        wait.withMessage(() -> "the page says: " + tab.findElement(By.id("status")).getText())
                .until(d -> d.findElement(By.id("status")).getText().matches("connected to instance .+ over "
                        + transport));
        String status = tab.findElement(By.id("status")).getText();
        return status.substring("connected to instance ".length(), status.indexOf(" over "));
    }

    private static void say(WebDriver tab, String text) {
        tab.findElement(By.id("text")).sendKeys(text);
        tab.findElement(By.cssSelector("#send button")).click();
    }

    private static void waitForMessage(WebDriver tab, String text) {
        new WebDriverWait(tab, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("messages")).getText()
                .contains(text));
    }
}
