package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests crafted to smuggle, overflow, escape or stall, sent over raw sockets. Each must be refused
 * with the right status, never reach the backend, leave its connection closed, and leave the gateway
 * serving everyone else.
 */
class HostileInputTest {

    private static GatewayFixture fixture;
    private static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        fixture = new GatewayFixture();
        backend = fixture.backend("users", "u");
        fixture.start("routes:\n  - path: /api/users/**\n    service: users\n",
                new GatewayOptions().setHeaderTimeoutMs(500).setBodyIdleTimeoutMs(500));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void reset() {
        backend.hits.set(0);
    }

    /** Sends raw bytes, then reads until the server closes the connection (or 5 s pass). */
    private static String exchange(String raw) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readUntilClosed(socket.getInputStream());
        }
    }

    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was not closed; got: " + all.toString(StandardCharsets.ISO_8859_1));
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static void assertRefused(String raw, int status, String error) throws Exception {
        backend.hits.set(0);
        String response = exchange(raw);
        assertThat(response).startsWith("HTTP/1.").contains(" " + status + " ");
        assertThat(response).contains("\"error\":\"" + error + "\"");
        assertThat(backend.hits.get()).as("the backend saw nothing").isZero();
        assertThat(fixture.get("/api/users/1").statusCode()).as("the gateway still serves").isEqualTo(200);
    }

    @Test
    void hopByHopHeadersAndTheHeadersConnectionNamesAreNotForwarded() throws Exception {
        backend.seen.clear();
        exchange("GET /api/users/hop HTTP/1.1\r\nHost: x\r\nConnection: close, X-Private\r\nX-Private: secret\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\nTE: trailers\r\nTrailer: X-Sum\r\n"
                + "Proxy-Connection: keep-alive\r\nX-Kept: yes\r\n\r\n");
        var headers = backend.seen.get(0).headers();
        assertThat(headers.get("X-Kept")).isEqualTo("yes");
        for (String name : List.of("X-Private", "Keep-Alive", "Proxy-Authorization", "TE", "Trailer",
                "Proxy-Connection")) {
            assertThat(headers.contains(name)).as(name).isFalse();
        }
    }

    @Test
    void duplicateOrInvalidContentLengthIsRefused() throws Exception {
        assertRefused("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
                400, "bad_request");
        assertRefused("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 400, "bad_request");
        assertRefused("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nabc", 400, "bad_request");
        assertRefused("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400, "bad_request");
    }

    /** Obsolete line folding is replaced by a space (RFC 9112 5.2's other permitted handling): never a new header. */
    @Test
    void obsFoldNeverBecomesASeparateHeader() throws Exception {
        backend.seen.clear();
        exchange("GET /api/users/fold HTTP/1.1\r\nHost: x\r\nX-Long: first\r\n X-Injected: yes\r\n"
                + "Connection: close\r\n\r\n");
        TestBackend.Seen seen = backend.seen.get(0);
        assertThat(seen.headers().contains("X-Injected")).isFalse();
        assertThat(seen.headers().get("X-Long")).isEqualTo("first X-Injected: yes");
    }

    @Test
    void oversizedRequestLineAndHeadersAreRefused() throws Exception {
        assertRefused("GET /api/users/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long");
        assertRefused("GET /api/users HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n\r\n",
                431, "headers_too_large");
    }

    @Test
    void dotSegmentsCannotEscapeARoute() throws Exception {
        assertRefused("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_path");
        assertRefused("GET /api/%2e%2e/%2e%2e/%2e%2e/etc HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_path");
        backend.hits.set(0);
        String inside = exchange("GET /api/users/../../admin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(inside).as("/api/admin has no route").startsWith("HTTP/1.1 404 ");
        assertThat(backend.hits.get()).isZero();
        String fine = exchange("GET /api/users/a/../b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(fine).startsWith("HTTP/1.1 200 ");
        assertThat(backend.seen.get(backend.seen.size() - 1).uri()).isEqualTo("/api/users/b");
    }

    @Test
    void slowHeadersGet408AtTheHeaderTimeout() throws Exception {
        long started = System.nanoTime();
        String response = exchange("GET /api/users HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(response).startsWith("HTTP/1.1 408 ").contains("\"error\":\"request_timeout\"");
        assertThat(ms).as("cut by the 500 ms header timeout, not by the test's own 5 s").isBetween(500L, 4_000L);
        assertThat(backend.hits.get()).isZero();
        assertThat(fixture.get("/api/users/1").statusCode()).isEqualTo(200);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedWithoutAnAnswer() throws Exception {
        String response = exchange("GET /api/users/1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 ").doesNotContain("408");
    }

    @Test
    void aBodyThatStopsArrivingGets408() throws Exception {
        String response = exchange("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
        assertThat(response).startsWith("HTTP/1.1 408 ").contains("\"error\":\"request_timeout\"");
        assertThat(fixture.get("/api/users/1").statusCode()).isEqualTo(200);
    }
}
