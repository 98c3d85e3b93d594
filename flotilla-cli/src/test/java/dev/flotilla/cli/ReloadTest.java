package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.cli.fleet.Fleet;
import dev.flotilla.supervisor.ControlServer;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reloads, scale-downs and stops of a real fleet under load through the gateway, with the demo's route as
 * it is (a breaker and retries on): not one request may fail, in either mode. GETs and POSTs both.
 */
class ReloadTest {

    private static final int RELOADS = 20;


    /** Sends GETs (and one thread of POSTs) through the gateway until stopped; counts what fails. */
    private static final class Load implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger ok = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        Load(int gateway) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int t = 0; t < 2; t++) {
                boolean posts = t == 0;
                Thread thread = new Thread(() -> {
                    int n = 0;
                    while (running.get()) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway
                                + (posts ? "/api/users" : "/api/whoami"))).timeout(Duration.ofSeconds(10));
                        if (posts) {
                            request.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"U" + n++
                                    + "\",\"email\":\"u@example.com\"}"));
                        }
                        try {
                            HttpResponse<String> response = http.send(request.build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() / 100 == 2) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                        pause(); // steady load, not a saturating one: the new JVMs need the cores to start
                    }
                });
                thread.start();
                threads.add(thread);
            }
        }

        private static void pause() {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    private static JsonObject control(Path file, JsonObject request) throws Exception {
        List<String> reply = new ArrayList<>();
        ControlServer.request(Fleet.controlSocket(file), request, reply::add);
        return new JsonObject(reply.get(0));
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"cluster", "fork"})
    void reloadsScaleDownsAndStopsUnderLoadLoseNoRequest(String mode) throws Exception {
        int gateway = Ports.free();
        Path file = FleetFiles.write("""
                redis: embedded
                amqp: redis  # these apps use no queues: no broker to start
                registry: {port: %d}
                gateway:
                  port: %d
                  admin-port: %d
                  routes:
                    - id: users
                      path: /api/users/**
                      service: users
                      rewrite: /users
                      retries: 2
                      breaker: {}
                    - id: whoami
                      path: /api/whoami
                      service: users
                      rewrite: /whoami
                      retries: 2
                      breaker: {}
                apps:
                  - name: users
                    main: dev.flotilla.examples.users.UsersService
                    java-options: [-XX:TieredStopAtLevel=1]
                    instances: 2
                    mode: %s
                    port: %d
                    ready: registered
                """.formatted(Ports.free(), gateway, Ports.free(), mode, Ports.free()));
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(90));
            try (Load load = new Load(gateway)) {
                Thread.sleep(500);
                long started = System.nanoTime();
                for (int i = 0; i < RELOADS; i++) {
                    JsonObject reply = control(file, new JsonObject().put("cmd", "reload").put("app", "users"));
                    assertThat(reply.getBoolean("ok")).as("reload %d: %s", i, reply).isTrue();
                }
                long perReloadMs = (System.nanoTime() - started) / 1_000_000 / RELOADS;
                assertThat(control(file, new JsonObject().put("cmd", "scale").put("app", "users").put("instances", 1))
                        .getBoolean("ok")).isTrue();
                assertThat(control(file, new JsonObject().put("cmd", "scale").put("app", "users").put("instances", 2))
                        .getBoolean("ok")).isTrue();
                Thread.sleep(2_000); // the new second instance becomes UP and takes traffic
                JsonArray listed = control(file, new JsonObject().put("cmd", "ls")).getJsonArray("instances");
                String second = listed.getJsonObject(listed.size() - 1).getString("id"); // the newest users
                assertThat(second).startsWith("users-");
                JsonObject stopped = control(file, new JsonObject().put("cmd", "stop").put("app", second));
                assertThat(stopped.getBoolean("ok")).as(stopped.encode()).isTrue();
                Thread.sleep(500);
                load.close();
                System.out.println(mode + " mode: " + RELOADS + " reloads, " + perReloadMs + " ms each, "
                        + load.ok.get() + " requests, " + load.failures.size() + " failed"); // README figures
                assertThat(load.failures).as("failed requests").isEmpty();
                assertThat(load.ok.get()).isGreaterThan(RELOADS * 20);
            }
            control(file, new JsonObject().put("cmd", "down"));
            assertThat(up.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(up.stdout() + up.stderr()).doesNotContain("SIGKILL");
        }
    }
}
