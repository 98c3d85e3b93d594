package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.cli.fleet.Fleet;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What a PM2 user reaches for, run as a user would: from another directory than the fleet's (the running
 * fleet is found machine-wide), each command printing what it did.
 */
class Pm2VerbsTest {

    /** One CLI call in this JVM; its exit code and everything it printed. */
    private record Run(int code, String out) {
    }

    private static Run flotilla(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = Flotilla.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int code = cli.execute(args);
        return new Run(code, out.toString());
    }


    @Test
    void theVerbsWorkFromAnyDirectory() throws Exception {
        Path home = Files.createTempDirectory("flotilla-home-");
        System.setProperty("flotilla.home", home.toString());
        Path file = FleetFiles.write("""
                registry: {port: %d}
                gateway: {port: %d, admin-port: %d}
                apps:
                  - name: web
                    command: [sleep, '300']
                    instances: 2
                """.formatted(Ports.free(), Ports.free(), Ports.free()));
        Map<String, String> env = Map.of("FLOTILLA_HOME", home.toString());
        try (JavaProcess up = JavaProcess.start(env, Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(60));

            Run ls = flotilla("ls");
            assertThat(ls.code()).as(ls.out()).isZero();
            assertThat(ls.out()).contains("crashes", "manual", "web", "#1", "flotilla", "registry and the gateway");
            assertThat(flotilla("list").out()).as("list is ls").contains("crashes", "web", "#1");

            assertThat(flotilla("scale", "web", "0").out()).contains("scaled web to 0");
            assertThat(flotilla("restart", "web").out()).contains("restarted web");
            assertThat(flotilla("ls").out()).as("an app scaled to 0 stays listed, and restart keeps the count")
                    .contains("scaled to 0");
            flotilla("scale", "web", "2");
            assertThat(flotilla("restart", "web").code()).isZero();
            Run after = flotilla("ls");
            assertThat(after.out().lines().filter(l -> l.startsWith("web ")).toList()).hasSize(2)
                    .allSatisfy(line -> assertThat(line.split("\\s+")[7]).as("manual restarts").isEqualTo("2"));

            Run describe = flotilla("describe", "web");
            assertThat(describe.out()).contains("command sleep 300", "web-", "log", Fleet.workDirectory(file).toString());

            Run start = flotilla("start", "--name", "extra", "--", "sleep", "300");
            assertThat(start.out()).as(start.out()).contains("started extra");
            assertThat(flotilla("ls").out()).contains("extra");
            assertThat(flotilla("delete", "extra").out()).contains("deleted extra");
            assertThat(flotilla("ls").out()).doesNotContain("extra");
            assertThat(flotilla("start", "nope").out()).contains("no app named 'nope'");

            String id = flotilla("describe", "web").out().lines().filter(l -> l.startsWith("web-"))
                    .map(l -> l.split("\\s+")[0]).toList().get(1);
            assertThat(flotilla("stop", id).out()).contains("stopped " + id);
            Eventually.await(id + " stopped", Duration.ofSeconds(10),
                    () -> flotilla("describe", "web").out().contains("stopped"));

            assertThat(flotilla("flush", "web").out()).contains("flushed the log of web");
            assertThat(Files.size(Fleet.workDirectory(file).resolve("logs").resolve("web.log"))).isZero();

            assertThat(flotilla("monit", "--count", "1").out()).contains("req/s", "web");
            assertThat(flotilla("startup").out()).contains("ExecStart=", " up -f " + file.toAbsolutePath(),
                    "[Install]");
            assertThat(flotilla("scale", "web", "max").code()).isZero();
            assertThat(flotilla("save").out()).contains("saved 1 fleet");

            assertThat(flotilla("down").out()).contains("the fleet is down");
            assertThat(up.waitFor(Duration.ofSeconds(30))).isZero();
        }
        Run logs = flotilla("logs", "redis"); // web's was flushed above
        assertThat(logs.code()).as("logs read the files once the fleet is down: " + logs.out()).isZero();
        assertThat(logs.out()).contains("redis#0 | ");
        assertThat(Files.readString(home.resolve("dump.json"))).contains(file.toAbsolutePath().toString(),
                "\"web\" : " + Runtime.getRuntime().availableProcessors());

        Run resurrect = flotilla("resurrect");
        try {
            assertThat(resurrect.code()).as(resurrect.out()).isZero();
            assertThat(flotilla("ls", "-f", file.toString()).out().lines().filter(l -> l.startsWith("web ")))
                    .as("the saved count").hasSize(Runtime.getRuntime().availableProcessors());
        } finally {
            assertThat(flotilla("down", "-f", file.toString()).out()).contains("the fleet is down");
        }
    }
}
