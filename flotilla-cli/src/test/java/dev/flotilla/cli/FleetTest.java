package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.cli.fleet.Fleet;
import dev.flotilla.messaging.rabbit.EmbeddedRabbit;
import dev.flotilla.supervisor.ControlServer;
import dev.flotilla.supervisor.InstanceInfo;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code flotilla up} as a real child process: a fleet with embedded Redis, registry, gateway and apps. */
class FleetTest {


    private static JsonArray ls(Path file) throws Exception {
        JsonObject[] answer = new JsonObject[1];
        ControlServer.request(Fleet.controlSocket(file), new JsonObject().put("cmd", "ls"),
                line -> answer[0] = new JsonObject(line));
        return answer[0].getJsonArray("instances");
    }

    @Test
    void clusterModeReloadUnderLoadAndNothingLeftAfterTheSupervisorIsKilled() throws Exception {
        int registry = Ports.free();
        int gateway = Ports.free();
        int admin = Ports.free();
        int users = Ports.free();
        Path file = FleetFiles.write("""
                redis: embedded
                amqp: redis  # these apps use no queues: no broker to start
                registry: {port: %d}
                gateway:
                  port: %d
                  admin-port: %d
                  routes:
                    - path: /api/whoami
                      service: users
                      rewrite: /whoami
                apps:
                  - name: users
                    main: dev.flotilla.examples.users.UsersService
                    instances: 2
                    mode: cluster
                    port: %d
                    ready: registered
                """.formatted(registry, gateway, admin, users));
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(90));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

            // Cluster mode: two processes on one port; the kernel spreads new connections over them.
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 60 && answered.size() < 2; i++) {
                HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                answered.add(new JsonObject(fresh.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + users + "/whoami")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).getString("instance"));
            }
            assertThat(answered).containsExactlyInAnyOrder("users-0", "users-1");

            // A rolling reload under constant load through the gateway: no request fails.
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            Set<String> instances = ConcurrentHashMap.newKeySet();
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + gateway + "/api/whoami"))
                                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200) {
                                ok.incrementAndGet();
                                instances.add(new JsonObject(response.body()).getString("instance"));
                            } else {
                                failures.add(response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                thread.start();
                load.add(thread);
            }
            Thread.sleep(1_000);
            List<String> reply = new ArrayList<>();
            ControlServer.request(Fleet.controlSocket(file), new JsonObject().put("cmd", "reload").put("app", "users"),
                    reply::add);
            assertThat(new JsonObject(reply.get(0)).getBoolean("ok")).as(reply.toString()).isTrue();
            Thread.sleep(1_000);
            running.set(false);
            for (Thread thread : load) {
                thread.join();
            }
            assertThat(failures).isEmpty();
            assertThat(ok.get()).isGreaterThan(100);
            assertThat(instances).as("a new instance answered").containsAnyOf("users-2", "users-3");
            List<String> ids = new ArrayList<>();
            for (Object o : ls(file)) {
                ids.add(InstanceInfo.fromJson((JsonObject) o).id());
            }
            assertThat(ids).containsExactly("redis-0", "users-2", "users-3");

            // kill -9 of the supervisor takes every child with it, the embedded Redis too.
            List<Long> children = new ArrayList<>();
            for (Object o : ls(file)) {
                children.add(InstanceInfo.fromJson((JsonObject) o).pid());
            }
            assertThat(children).hasSize(3).doesNotContain(0L);
            up.signal("KILL");
            for (long pid : children) {
                Eventually.await("child " + pid + " gone", Duration.ofSeconds(15),
                        () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
            }
        }
    }

    @Test
    void aBrokenFileOrATakenPortStopsUpBeforeAnythingStarts() throws Exception {
        Path file = FleetFiles.write("apps:\n  - name: web\n    command: [sleep, '1']\n    instancs: 2\n");
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            assertThat(up.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(up.stderr()).contains(file + ":4: apps[0]: unknown key 'instancs'");
        }
        try (ServerSocket taken = new ServerSocket(0)) {
            Files.writeString(file, "registry: {port: " + taken.getLocalPort() + "}\n");
            try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
                assertThat(up.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
                assertThat(up.stderr()).contains("port " + taken.getLocalPort() + " (registry.port) is already in use");
            }
        }
    }

    @Test
    void downStopsEverythingAndUpExitsZero() throws Exception {
        Path file = FleetFiles.write("""
                registry: {port: %d}
                gateway: {port: %d, admin-port: %d}
                apps:
                  - name: sleepers
                    command: [sleep, '300']
                    instances: 2
                """.formatted(Ports.free(), Ports.free(), Ports.free()));
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(60));
            List<Long> children = new ArrayList<>();
            for (Object o : ls(file)) {
                children.add(InstanceInfo.fromJson((JsonObject) o).pid());
            }
            // The embedded Redis, the embedded RabbitMQ (amqp: embedded, when rabbitmq-server is installed, as in
            // CI) and two sleepers: down stops them all.
            assertThat(children).hasSize(EmbeddedRabbit.executable() != null ? 4 : 3);
            ControlServer.request(Fleet.controlSocket(file), new JsonObject().put("cmd", "down"), line -> { });
            assertThat(up.waitFor(Duration.ofSeconds(30))).isZero();
            for (long pid : children) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
            }
            assertThat(Files.exists(Fleet.controlSocket(file))).isFalse();
        }
    }

    @Test
    void theFleetFileTurnsOnHttpsWithCertificatesBesideIt() throws Exception {
        int tlsPort = Ports.free();
        Path file = FleetFiles.write("""
                amqp: redis
                registry: {port: %d}
                gateway:
                  port: %d
                  admin-port: %d
                  tls:
                    port: %d
                    certificates: [{cert: tls/cert.pem, key: tls/key.pem}]
                apps:
                  - name: sleeper
                    command: [sleep, '300']
                """.formatted(Ports.free(), Ports.free(), Ports.free(), tlsPort));
        Path tls = Files.createDirectories(file.getParent().resolve("tls"));
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", tls.resolve("key.pem").toString(), "-out", tls.resolve("cert.pem").toString())
                .redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor()).isZero();
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(60));
            up.awaitLine("  https      https://localhost:" + tlsPort, Duration.ofSeconds(10));
            Process curl = new ProcessBuilder("curl", "-sk", "--http2", "-w", "\\n%{http_version} %{response_code}",
                    "https://localhost:" + tlsPort + "/nowhere").redirectErrorStream(true).start();
            String answer = new String(curl.getInputStream().readAllBytes());
            assertThat(curl.waitFor()).isZero();
            assertThat(answer).contains("\"no_route\"").endsWith("\n2 404");
            ControlServer.request(Fleet.controlSocket(file), new JsonObject().put("cmd", "down"), line -> { });
            assertThat(up.waitFor(Duration.ofSeconds(30))).isZero();
        }
        Files.writeString(file, "gateway:\n  tls: {port: 8443}\n");
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            assertThat(up.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(up.stderr()).contains("gateway.tls.certificates: missing");
        }
    }

    /** The demo's shape: SDK apps in cluster and fork mode behind the registry and gateway, embedded Redis. */
    private static Path sdkFleet() throws Exception {
        Path file = FleetFiles.write("""
                redis: embedded
                amqp: redis  # these apps use no queues: no broker to start
                registry: {port: %d}
                gateway: {port: %d, admin-port: %d}
                apps:
                  - name: users
                    main: dev.flotilla.examples.users.UsersService
                    instances: 2
                    mode: cluster
                    port: %d
                    ready: registered
                  - name: greeter
                    main: dev.flotilla.examples.greeter.GreeterService
                    port: %d
                    ready: registered
                """.formatted(Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free()));
        return file;
    }

    @Test
    void ctrlCInATerminalStopsTheFleetGracefullyAndReachesOnlyTheSupervisor() throws Exception {
        Path file = sdkFleet();
        // As a terminal does it: the whole foreground process group gets SIGINT. A process started in the
        // background inherits SIGINT ignored (as this test's may be), so the default is restored first.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", "/usr/bin/setsid",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Flotilla.class.getName(),
                "up", "-f", file.toString()));
        Path output = Files.createTempFile("up-", ".log");
        Process up = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            Eventually.await("the fleet is up", Duration.ofSeconds(90),
                    () -> read(output).contains("flotilla: the fleet is up"));
            List<Long> children = new ArrayList<>();
            for (Object o : ls(file)) {
                children.add(InstanceInfo.fromJson((JsonObject) o).pid());
            }
            assertThat(children).hasSize(4).doesNotContain(0L); // redis, two users, greeter
            long started = System.nanoTime();
            new ProcessBuilder("kill", "-s", "INT", "--", "-" + up.pid()).start().waitFor();
            assertThat(up.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("exited; output:\n%s", read(output))
                    .isTrue();
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            System.out.println("Ctrl-C of an idle fleet of 4 processes: " + tookMs + " ms"); // a README figure
            String log = read(output);
            assertThat(up.exitValue()).as(log).isZero();
            assertThat(log).doesNotContain("SIGKILL");
            assertThat(log).as("the embedded Redis got no Ctrl-C of its own, so no crash and no restart")
                    .doesNotContain("exited with code");
            for (long pid : children) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
            }
        } finally {
            up.destroyForcibly();
        }
    }

    @Test
    void aMissingMainClassFailsUpAtOnceNamingTheAppAndItsError() throws Exception {
        Path file = FleetFiles.write("""
                registry: {port: %d}
                gateway: {port: %d, admin-port: %d}
                apps:
                  - name: typo
                    main: dev.flotilla.examples.users.UsersServise
                    port: %d
                    ready: registered
                """.formatted(Ports.free(), Ports.free(), Ports.free(), Ports.free()));
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            assertThat(up.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(up.stderr()).contains("app 'typo' could not start: typo#0 exited with code 1 before it was ready")
                    .contains("UsersServise");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
