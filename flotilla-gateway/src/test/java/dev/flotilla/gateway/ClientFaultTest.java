package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.TestBackend;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whose fault is it: a client that hangs up, stalls or sends a broken body must not be able to eject a
 * healthy instance or be retried onto another; an instance that freezes must hold requests only briefly;
 * a backend that closes keep-alive connections without saying so is not failing.
 */
class ClientFaultTest {

    private GatewayFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private JsonArray instances() throws Exception {
        return fixture.admin("/admin/upstreams").getJsonArray("upstreams").getJsonObject(0).getJsonArray("instances");
    }

    private long failuresAndEjections() throws Exception {
        long total = 0;
        for (Object o : instances()) {
            JsonObject instance = (JsonObject) o;
            total += instance.getLong("failures") + instance.getLong("ejections");
        }
        return total;
    }

    private void twoBackendsAnd(String routes, GatewayOptions options) throws Exception {
        fixture = new GatewayFixture();
        fixture.backend("users", "u1");
        fixture.backend("users", "u2");
        fixture.start(routes, options);
    }

    @Test
    void brokenAndStalledBodiesAreAnsweredAtOnceAndHeldAgainstNobody() throws Exception {
        twoBackendsAnd("routes:\n  - path: /api/users/**\n    service: users\n",
                new GatewayOptions().setBodyIdleTimeoutMs(500));
        for (int i = 0; i < 8; i++) {
            long started = System.nanoTime();
            SmugglingTest.Reply broken = SmugglingTest.send(fixture, "POST /api/users HTTP/1.1\r\nHost: x\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nmore\r\n0\r\n\r\n");
            assertThat(broken.status()).isEqualTo(400);
            assertThat(broken.closed()).isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).as("answered at once, not after a timeout")
                    .isLessThan(2_000);
            SmugglingTest.Reply stalled = SmugglingTest.send(fixture, "POST /api/users HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 100\r\n\r\n0123456789");
            assertThat(stalled.status()).isEqualTo(408);
        }
        assertThat(failuresAndEjections()).as("nothing held against the instances: " + instances()).isZero();
    }

    /**
     * A client still uploading when its body passes the route's limit must read the 413, not a reset: the
     * gateway half-closes and drains, as nginx's lingering close does. Closing with unread bytes makes the
     * kernel reset the connection, and the client's kernel may then drop the answer (RFC 9112 §9.6; seen
     * once in CI). That race rarely shows on loopback, so what is checked is the mechanism: after the whole
     * answer and the gateway's FIN, the client can go on sending without meeting a reset.
     */
    @Test
    void aClientStillUploadingReadsTheRefusalNotAReset() throws Exception {
        twoBackendsAnd("routes:\n  - path: /api/users/**\n    service: users\n    max-body: 1KB\n",
                new GatewayOptions());
        byte[] chunk = ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /api/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(chunk);
            SmugglingTest.Reply reply = SmugglingTest.read(socket.getInputStream());
            assertThat(reply.status()).as(reply.text()).isEqualTo(413);
            assertThat(reply.closed()).as("the gateway's FIN").isTrue();
            for (int i = 0; i < 128; i++) { // 2 MB more: a closed socket would have reset by now
                out.write(chunk);
            }
        }
        // And the real client that met the race in CI.
        byte[] body = new byte[16 << 10];
        for (int round = 0; round < 20; round++) {
            HttpResponse<String> reply = fixture.send(HttpRequest.newBuilder(fixture.uri("/api/users/x"))
                    .POST(HttpRequest.BodyPublishers.ofByteArrays(Collections.nCopies(64, body))).build());
            assertThat(reply.statusCode()).as("round " + round).isEqualTo(413);
        }
    }

    @Test
    void aClientThatHangsUpIsNeitherRetriedNorCounted() throws Exception {
        twoBackendsAnd("routes:\n  - path: /api/users/**\n    service: users\n    attempt-timeout: 0s\n",
                new GatewayOptions());
        fixture.backends.forEach(b -> b.delayMs.set(800));
        for (int i = 0; i < 3; i++) {
            try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
                socket.getOutputStream().write("GET /api/users/slow HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                Thread.sleep(150);
            }
        }
        Thread.sleep(1_500);
        int hits = fixture.backends.stream().mapToInt(b -> b.hits.get()).sum();
        assertThat(hits).as("one attempt per request, no retry").isEqualTo(3);
        assertThat(failuresAndEjections()).as(instances().encode()).isZero();
    }

    @Test
    void anUploadSlowerThanTheRouteTimeoutButNeverSilentSucceeds() throws Exception {
        twoBackendsAnd("routes:\n  - path: /api/users/**\n    service: users\n    timeout: 500ms\n",
                new GatewayOptions().setBodyIdleTimeoutMs(1_000));
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 10; i++) {
                Thread.sleep(200); // 2 s in all: four times the route's timeout, never 1 s of silence
                out.write('x');
                out.flush();
            }
            SmugglingTest.Reply reply = SmugglingTest.read(socket.getInputStream());
            assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        }
        assertThat(fixture.backends.stream().mapToLong(b -> b.bodyBytes.get()).sum()).isEqualTo(10);
    }

    @Test
    void anInstanceThatStopsReadingABodyIsA504AndCountsAgainstIt() throws Exception {
        fixture = new GatewayFixture();
        try (ServerSocket deaf = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            deaf.setReceiveBufferSize(4096); // accepts, never reads: an instance stuck while uploads arrive
            List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(deaf.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
            var registry = dev.flotilla.core.registry.RegistryClient.create(vertx,
                    new dev.flotilla.core.registry.RegistryClientOptions(fixture.registry.url()));
            registry.register(dev.flotilla.core.registry.Instance.builder("deaf-1", "users", "1.0.0")
                    .host("127.0.0.1").port(deaf.getLocalPort()).ttlSeconds(30)
                    .status(dev.flotilla.core.registry.InstanceStatus.UP).build())
                    .await(10, java.util.concurrent.TimeUnit.SECONDS);
            try {
                fixture.start("routes:\n  - path: /api/users/**\n    service: users\n    max-body: 100MB\n",
                        new GatewayOptions().setBodyIdleTimeoutMs(500));
                try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    int size = 64 << 20;
                    out.write(("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    Thread writer = new Thread(() -> {
                        try {
                            out.write(new byte[size]);
                        } catch (java.io.IOException stopped) {
                            // the gateway answered and closed, as it should
                        }
                    });
                    writer.start();
                    SmugglingTest.Reply reply = SmugglingTest.read(socket.getInputStream());
                    assertThat(reply.status()).as(reply.text()).isEqualTo(504);
                    assertThat(reply.text()).contains("upstream_timeout");
                }
                JsonObject instance = instances().getJsonObject(0);
                assertThat(instance.getLong("failures")).as(instance.encode()).isEqualTo(1);
            } finally {
                registry.close();
                vertx.close();
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aFrozenInstanceHoldsARetryableRequestForTheAttemptTimeoutOnlyAndIsEjected() throws Exception {
        twoBackendsAnd("routes:\n  - path: /api/users/**\n    service: users\n    attempt-timeout: 300ms\n",
                new GatewayOptions());
        TestBackend frozen = fixture.backends.get(0);
        frozen.delayMs.set(60_000); // accepts connections, never answers: as a SIGSTOPped process
        long slowest = 0;
        for (int i = 0; i < 20; i++) {
            long started = System.nanoTime();
            assertThat(fixture.get("/api/users/" + i).statusCode()).isEqualTo(200);
            slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
        }
        System.out.println("frozen instance: slowest of 20 GETs " + slowest + " ms"); // a figure for the README
        assertThat(slowest).as("a request waits about one attempt timeout, not the 30 s timeout").isLessThan(3_000);
        JsonObject frozenState = instances().stream().map(JsonObject.class::cast)
                .filter(i -> i.getString("id").equals(frozen.id())).findFirst().orElseThrow();
        assertThat(frozenState.getLong("ejections")).as(frozenState.encode()).isGreaterThanOrEqualTo(1);
        assertThat(frozenState.getLong("failures")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aBackendThatClosesEveryConnectionAfterAnsweringIsNotEjected() throws Exception {
        fixture = new GatewayFixture();
        try (RecordingBackend first = new RecordingBackend(fixture.registry.url(), "users", "c1");
                RecordingBackend second = new RecordingBackend(fixture.registry.url(), "users", "c2")) {
            first.closeAfterResponse = true;
            second.closeAfterResponse = true;
            fixture.start("routes:\n  - path: /api/users/**\n    service: users\n", new GatewayOptions());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    statuses.add(pool.submit(() -> fixture.get("/api/users/x").statusCode()));
                }
                for (Future<Integer> status : statuses) {
                    assertThat(status.get()).isEqualTo(200);
                }
            } finally {
                pool.shutdownNow();
            }
            JsonArray instances = instances();
            for (Object o : instances) {
                JsonObject instance = (JsonObject) o;
                assertThat(instance.getLong("ejections")).as(instances.encode()).isZero();
                assertThat(instance.getLong("failures")).as(instances.encode()).isZero();
            }
        }
    }
}
