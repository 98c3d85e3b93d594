package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.BackendMain;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway under constant load while one of three backends, each its own process, dies ({@code kill -9})
 * or freezes ({@code SIGSTOP}). Clients must see no failed request either way.
 */
class FailoverTest {

    private GatewayFixture fixture;
    private final List<JavaProcess> backends = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fixture = new GatewayFixture();
        for (String id : new String[] {"a", "b", "c"}) {
            JavaProcess backend = JavaProcess.start(BackendMain.class, fixture.registry.url(), "users", "1.0.0", id);
            backends.add(backend);
        }
        for (JavaProcess backend : backends) {
            backend.awaitLine("listening", Duration.ofSeconds(30));
        }
        fixture.start("routes:\n  - path: /**\n    service: users\n    timeout: 300ms\n    retries: 2\n");
    }

    @AfterEach
    void stop() throws Exception {
        for (JavaProcess backend : backends) {
            backend.close();
        }
        fixture.close();
    }

    /** GETs from four client threads until stopped, counting answers per instance and failures. */
    private final class Load {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger total = new AtomicInteger();
        final Map<String, AtomicInteger> byInstance = new ConcurrentHashMap<>();
        final List<String> failureDetails = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        Load start() {
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> response = fixture.send(HttpRequest.newBuilder(fixture.uri("/x"))
                                    .timeout(Duration.ofSeconds(5)).build());
                            total.incrementAndGet();
                            if (response.statusCode() != 200) {
                                failures.incrementAndGet();
                                failureDetails.add(response.statusCode() + " " + response.body());
                            } else {
                                byInstance.computeIfAbsent(response.body(), k -> new AtomicInteger()).incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            failureDetails.add(e.toString());
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            return this;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    private JsonObject endpoint(String id) throws Exception {
        JsonArray upstreams = fixture.admin("/admin/upstreams").getJsonArray("upstreams");
        JsonArray instances = upstreams.getJsonObject(0).getJsonArray("instances");
        for (int i = 0; i < instances.size(); i++) {
            if (instances.getJsonObject(i).getString("id").equals(id)) {
                return instances.getJsonObject(i);
            }
        }
        return null;
    }

    @Test
    void killingABackendCausesNoFailedRequest() throws Exception {
        Load load = new Load().start();
        Thread.sleep(1_500);
        backends.get(2).signal("KILL");
        Eventually.await("the killed instance leaves the gateway's upstream", Duration.ofSeconds(3),
                () -> {
                    try {
                        return endpoint("c") == null;
                    } catch (Exception e) {
                        return false;
                    }
                });
        int answeredByC = load.byInstance.get("c").get();
        Thread.sleep(1_500);
        load.stop();
        assertThat(load.failureDetails).isEmpty();
        assertThat(load.byInstance.get("c").get()).isEqualTo(answeredByC);
        assertThat(load.byInstance.get("a").get()).isGreaterThan(answeredByC);
        assertThat(load.total.get()).isGreaterThan(200);
    }

    @Test
    void freezingABackendCausesNoFailedRequestAndItStopsGettingTraffic() throws Exception {
        Load load = new Load().start();
        Thread.sleep(1_500);
        backends.get(2).signal("STOP");
        // Three 300 ms timeouts eject it within about a second, for 2 s (the default base ejection); its lease
        // (5 s) may also run out, taking it out of the upstream. Either way it is out of rotation.
        Thread.sleep(1_200);
        JsonObject frozen = endpoint("c");
        Thread.sleep(1_000);
        JsonObject later = endpoint("c");
        load.stop();
        backends.get(2).signal("CONT");
        assertThat(load.failureDetails).isEmpty();
        assertThat(frozen == null ? "gone" : frozen.getString("state")).as("the frozen instance is out of rotation")
                .isIn("ejected", "gone");
        long attemptsThen = frozen == null ? 0 : frozen.getLong("requests");
        long attemptsLater = later == null ? attemptsThen : later.getLong("requests");
        assertThat(attemptsLater).as("no new attempts on the frozen instance").isEqualTo(attemptsThen);
        assertThat(load.total.get()).isGreaterThan(200);
    }
}
