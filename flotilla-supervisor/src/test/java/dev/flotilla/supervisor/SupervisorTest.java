package dev.flotilla.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.config.ByteSize;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.registry.RegistryEvent;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.Ports;
import dev.flotilla.testing.TestRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real child processes under a supervisor, with a real registry. */
class SupervisorTest {

    private TestRegistry registry;
    private Vertx vertx;
    private RegistryClient registryClient;
    private Supervisor supervisor;
    private Path dir;

    @BeforeEach
    void start() throws Exception {
        registry = TestRegistry.start();
        vertx = Vertx.vertx();
        registryClient = RegistryClient.create(vertx, new RegistryClientOptions(registry.url()));
        dir = Files.createTempDirectory("supervisor-");
        supervisor = new Supervisor(dir, dir.resolve("logs"), Map.of("FLOTILLA_REGISTRY", registry.url()),
                registryClient, null);
    }

    @AfterEach
    void stop() throws Exception {
        supervisor.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        registry.close();
    }


    private static AppSpec app(String name, List<String> command, Integer port, String ready, boolean register,
            RestartPolicy restart, ByteSize maxMemory) {
        return new AppSpec(name, null, null, command, null, null, "1", "fork", port, null, null, null, ready,
                register, null, restart, Duration.ofSeconds(2), maxMemory, null, false);
    }

    private InstanceInfo only(String app) {
        return supervisor.list().stream().filter(i -> i.app().equals(app)).findFirst().orElseThrow();
    }

    @Test
    void aProcessWithoutTheSdkJoinsTheFleetAndACrashIsMarkedDownThenRestarted() throws Exception {
        int port = Ports.free();
        InstanceWatch watch = registryClient.watch("web");
        watch.ready().await(10, TimeUnit.SECONDS);
        List<String> statuses = new CopyOnWriteArrayList<>();
        watch.addListener((RegistryEvent e) -> statuses.add(e.instance().status().name()));
        supervisor.start(app("web", List.of("python3", "-m", "http.server", Integer.toString(port), "--bind",
                "127.0.0.1"), port, "/", true, new RestartPolicy(Duration.ofMillis(300), null, null, null, null), null));
        assertThat(supervisor.awaitReady("web", Duration.ofSeconds(20))).isTrue();
        Eventually.await("web registered UP", Duration.ofSeconds(10), () -> watch.instances("web").stream()
                .anyMatch(i -> i.status() == InstanceStatus.UP && i.port() == port));
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);

        long pid = only("web").pid();
        statuses.clear();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        Eventually.await("restarted with a new pid", Duration.ofSeconds(20),
                () -> only("web").pid() != 0 && only("web").pid() != pid && only("web").state().equals("online"));
        Eventually.await("UP again", Duration.ofSeconds(10), () -> statuses.contains("UP"));
        assertThat(statuses.get(0)).as("DOWN is the first thing the registry hears").isEqualTo("DOWN");
        assertThat(only("web").restarts()).isEqualTo(1);
        assertThat(Files.readString(supervisor.logFile("web"))).contains("web#0 | flotilla: exited with code 137");
    }

    @Test
    void readyRegisteredWaitsForTheInstanceItselfWhateverServiceNameItRegistersUnder() throws Exception {
        supervisor.start(new AppSpec("web-app", RenamedServiceMain.class.getName(), null, null, null, null, "1",
                "fork", null, null, null, null, "registered", false, null, null, Duration.ofSeconds(2), null, null, false));
        assertThat(supervisor.awaitReady("web-app", Duration.ofSeconds(30))).isTrue();
        var registered = registryClient.discover("renamed", null, true).await(5, TimeUnit.SECONDS);
        assertThat(registered).extracting(i -> i.id()).containsExactly(only("web-app").id());
    }

    @Test
    void aCrashLoopStopsAfterTheMaximumRestarts() throws Exception {
        supervisor.start(app("crasher", List.of("sh", "-c", "echo starting; exit 3"), null, null, false,
                new RestartPolicy(Duration.ofMillis(20), Duration.ofMillis(80), null, 3, Duration.ofMinutes(1)), null));
        Eventually.await("errored", Duration.ofSeconds(10), () -> only("crasher").state().equals("errored"));
        assertThat(only("crasher").restarts()).isEqualTo(3);
        String log = Files.readString(supervisor.logFile("crasher"));
        assertThat(log.split("crasher#0 \\| starting", -1)).hasSize(5); // the first run and 3 restarts
        assertThat(log).contains("not restarting");
    }

    @Test
    void aCommandThatCannotRunIsReportedAtOnceAndNotRestarted() throws Exception {
        supervisor.start(app("typo", List.of("no-such-command-for-flotilla"), null, null, false, null, null));
        assertThat(supervisor.awaitReady("typo", Duration.ofSeconds(10))).isFalse();
        assertThat(only("typo").state()).isEqualTo("errored");
        assertThat(only("typo").restarts()).isZero();
        assertThat(supervisor.failure("typo")).contains("typo#0 exited with code 127 before it was ready")
                .contains("no-such-command-for-flotilla");
    }

    @Test
    void anInstancePastMaxMemoryIsRestarted() throws Exception {
        supervisor.start(app("hog", List.of("python3", "-c",
                "import time\nblob = bytearray(160 * 1024 * 1024)\nfor i in range(0, len(blob), 4096): blob[i] = 1\n"
                        + "time.sleep(120)"), null, null, false, null, ByteSize.parse("100MB")));
        Eventually.await("online", Duration.ofSeconds(10), () -> only("hog").state().equals("online"));
        long first = only("hog").pid();
        Eventually.await("restarted for its memory", Duration.ofSeconds(20),
                () -> only("hog").restarts() >= 1 && only("hog").pid() != first);
        assertThat(Files.readString(supervisor.logFile("hog"))).contains("passed max-memory 100 MB; restarting");
    }

    @Test
    void scaleAndStopLeaveNoProcessBehind() throws Exception {
        supervisor.start(new AppSpec("sleepers", null, null, List.of("sleep", "300"), null, null, "2", "fork", null,
                null, null, null, null, false, null, null, Duration.ofSeconds(2), null, null, false));
        assertThat(supervisor.awaitReady("sleepers", Duration.ofSeconds(5))).isTrue();
        supervisor.scale("sleepers", 3);
        assertThat(supervisor.list()).hasSize(3);
        List<Long> pids = supervisor.list().stream().map(InstanceInfo::pid).toList();
        supervisor.scale("sleepers", 1);
        assertThat(supervisor.list()).hasSize(1);
        supervisor.stopAll();
        for (long pid : pids) {
            Eventually.await("pid " + pid + " gone", Duration.ofSeconds(5),
                    () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }
}
