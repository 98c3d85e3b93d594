package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request smuggling, class by class (CL.TE, TE.CL, TE.TE obfuscations, chunk-size tricks, header-name
 * tricks, pipelining after a refusal, h2c and WebSocket upgrade abuse), on raw sockets at both ends: the
 * backend keeps every byte the gateway sends it. A vector passes only when the gateway refuses it (4xx
 * and the connection closed, nothing forwarded) or the backend sees exactly one well-framed request. The
 * smuggled request always targets a path containing {@code SMUGGLED}, which must never reach the backend.
 */
class SmugglingTest {

    static final String SMUGGLED = "GET /api/s/SMUGGLED HTTP/1.1\r\nHost: x\r\n\r\n";
    static GatewayFixture fixture;
    static RecordingBackend backend;

    @BeforeAll
    static void start() throws Exception {
        fixture = new GatewayFixture();
        backend = new RecordingBackend(fixture.registry.url(), "smug", "smug-1");
        fixture.start("routes:\n  - path: /api/s/**\n    service: smug\n    max-body: 1KB\n",
                new GatewayOptions().setHeaderTimeoutMs(1_000).setBodyIdleTimeoutMs(1_000));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        backend.close();
    }

    @BeforeEach
    void clear() {
        backend.clear();
    }

    /** What one raw connection got back, and whether the gateway closed it. */
    record Reply(String text, boolean closed) {
        int status() {
            Matcher m = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(text);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }

        List<Integer> statuses() {
            Matcher m = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ").matcher(text);
            return m.results().map(r -> Integer.parseInt(r.group(1))).toList();
        }
    }

    static Reply send(GatewayFixture fixture, String raw) throws IOException {
        return send(fixture, raw, 2_500);
    }

    /** Sends {@code raw} and reads until the gateway closes, or {@code quietMs} pass without a byte. */
    static Reply send(GatewayFixture fixture, String raw, int quietMs) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(quietMs);
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    static Reply read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
            return new Reply(all.toString(StandardCharsets.ISO_8859_1), true);
        } catch (SocketTimeoutException e) {
            return new Reply(all.toString(StandardCharsets.ISO_8859_1), false);
        } catch (IOException reset) {
            return new Reply(all.toString(StandardCharsets.ISO_8859_1), true);
        }
    }

    /** Sends {@code raw} and reads one whole answer (head and Content-Length body), then hangs up. */
    static Reply sendOne(String raw) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int headEnd = -1;
            long length = 0;
            while (headEnd < 0 || all.size() < headEnd + length) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                all.write(b);
                String text = all.toString(StandardCharsets.ISO_8859_1);
                if (headEnd < 0 && text.endsWith("\r\n\r\n")) {
                    headEnd = text.length();
                    Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
                    length = m.find() ? Long.parseLong(m.group(1)) : 0;
                }
            }
            return new Reply(all.toString(StandardCharsets.ISO_8859_1), false);
        }
    }

    /** Refused with {@code status}, connection closed, and not one byte of a request forwarded. */
    static void assertRefused(String raw, int status) throws IOException {
        backend.clear();
        Reply reply = send(fixture, raw);
        assertThat(reply.status()).as("status for:\n%s\ngot:\n%s", raw, reply.text()).isEqualTo(status);
        assertThat(reply.statuses()).as("one answer only, for:\n%s", raw).hasSize(1);
        assertThat(reply.closed()).as("connection closed after refusing:\n%s", raw).isTrue();
        assertThat(backend.requests()).as("nothing forwarded for:\n%s", raw).isEmpty();
    }

    /** The safety property alone: refused (4xx and closed), or exactly one well-framed request upstream. */
    static void assertSafe(String raw) throws IOException {
        backend.clear();
        Reply reply = send(fixture, raw);
        List<RecordingBackend.Request> seen = backend.requests();
        assertThat(seen).as("nothing smuggled for:\n%s", raw)
                .noneMatch(r -> r.uri().contains("SMUGGLED") || !r.decodedCleanly());
        int status = reply.status();
        assertThat(status).as("answered, and never with a 5xx:\n%s\ngot:\n%s", raw, reply.text())
                .isBetween(200, 499);
        if (status >= 400) {
            assertThat(reply.closed()).as("closed after refusing:\n%s", raw).isTrue();
        } else {
            assertThat(seen).as("exactly one request forwarded for:\n%s", raw).hasSize(1);
        }
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedAndTheConnectionClosed() throws Exception {
        // The issue's own example: CL.TE with the smuggled request's head left open for the next one.
        assertRefused("POST /api/s/a HTTP/1.1\r\nHost: x\r\nContent-Length: 36\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /api/s/SMUGGLED HTTP/1.1\r\nX: GET /api/s/next HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        // TE.CL: the other order of the same two headers.
        assertRefused("POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                + "5c\r\n" + SMUGGLED + "\r\n0\r\n\r\n", 400);
        assertRefused("POST /api/s/a HTTP/1.0\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n" + SMUGGLED, 400);
    }

    @Test
    void transferEncodingInHttp10IsRefused() throws Exception {
        assertRefused("POST /api/s/a HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
                400);
    }

    @Test
    void obfuscatedTransferEncodingsAreRefusedAndTheirBodiesNeverParsedAsRequests() throws Exception {
        for (String te : List.of("xchunked", "identity", "gzip", "\"chunked\"", "chunked, identity",
                "gzip, chunked", "chunked;q=1", "cow")) {
            assertRefused("POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + "\r\n\r\n" + SMUGGLED, 400);
        }
        assertRefused("POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n"
                + SMUGGLED, 400);
        assertRefused("POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer_Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                + "0\r\n\r\n" + SMUGGLED, 400);
        // Whitespace before the colon (RFC 9112 5.1: 400) and a line-folded value.
        assertSafe("POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED);
        assertSafe("POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 3\r\n\r\n"
                + "0\r\n\r\n" + SMUGGLED);
    }

    @Test
    void lenientChunkSizesAreRefused() throws Exception {
        for (String size : List.of("10000000000000005", "100000005", "5 GET /x", "5 ", "5\t", "5\u0000", "5\r",
                "-5", "0x5", "+5", " 5", "5;ext\u0001", "")) {
            Reply reply = send(fixture, "POST /api/s/chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + size + "\r\nhello\r\n0\r\n\r\n" + SMUGGLED);
            assertThat(reply.status()).as("chunk size '%s'", size).isEqualTo(400);
            assertThat(reply.closed()).isTrue();
            assertThat(backend.requests()).noneMatch(r -> r.uri().contains("SMUGGLED"))
                    .as("nothing forwarded but, at most, the started request")
                    .allMatch(r -> r.uri().equals("/api/s/chunk") && !r.body().equals("hello"));
            backend.clear();
        }
        // Valid: an extension, and upper-case hex with leading zeros.
        Reply ok = send(fixture, "POST /api/s/chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n5;name=value\r\nhello\r\n000A\r\n0123456789\r\n0\r\n\r\n");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(backend.requests()).singleElement().satisfies(r -> assertThat(r.body()).isEqualTo("hello0123456789"));
    }

    @Test
    void requestsPipelinedAfterARefusalNeverReachAService() throws Exception {
        // 404 with an unread body, 413 by Content-Length, 417: each closes, and what follows is dropped.
        assertRefused("POST /nothing-here HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + SMUGGLED, 404);
        assertRefused("POST /api/s/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + SMUGGLED, 413);
        assertRefused("POST /api/s/a HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 2\r\n\r\nhi" + SMUGGLED,
                417);
        assertRefused("GET /api/s/%2e%2e/%2e%2e/%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED + SMUGGLED, 400);
    }

    @Test
    void aConnectionHeaderCannotStripTheFraming() throws Exception {
        Reply reply = send(fixture, "POST /api/s/cl HTTP/1.1\r\nHost: x\r\nConnection: Content-Length, close\r\n"
                + "Content-Length: 5\r\n\r\nhello");
        assertThat(reply.status()).isEqualTo(200);
        RecordingBackend.Request seen = backend.requests().get(0);
        assertThat(seen.body()).isEqualTo("hello");
        assertThat(seen.headers().get("Content-Length")).isEqualTo("5");
        backend.clear();
        reply = send(fixture, "GET /api/s/host HTTP/1.1\r\nHost: x\r\nConnection: Host, close\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(backend.requests()).hasSize(1);
    }

    @Test
    void aMissingDuplicateOrInvalidHostIsRefused() throws Exception {
        assertRefused("GET /api/s/a HTTP/1.1\r\n\r\n", 400);
        assertRefused("GET /api/s/a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400);
        for (String host : List.of("a b", "x/y", "x@y", "x:port", "[::1", "x:123456", "\"x\"")) {
            assertRefused("GET /api/s/a HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 400);
        }
        Reply http10 = send(fixture, "GET /api/s/ten HTTP/1.0\r\n\r\n");
        assertThat(http10.status()).as("HTTP/1.0 may omit Host").isEqualTo(200);
    }

    @Test
    void headerNameTricksAreRefused() throws Exception {
        assertRefused("GET /api/s/a HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", 400);
        assertRefused("GET /api/s/a HTTP/1.1\r\nHost: x\r\nContent_Length: 5\r\n\r\nhello", 400);
        assertRefused("GET /api/s/a HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n", 400);
        assertSafe("POST /api/s/a HTTP/1.1\r\nHost: x\r\nContent-Length:\u000b5\r\n\r\nhello" + SMUGGLED);
    }

    @Test
    void controlCharactersAndFragmentsInTheTargetAreRefused() throws Exception {
        for (String target : List.of("/api/s/a\u0000b", "/api/s/a\u0001", "/api/s/a#frag", "/api/s/a\\..\\b",
                "/api/s/\u00e9", "api/s/a", "http://evil/api/s/a")) {
            assertRefused("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        }
    }

    @Test
    void encodedSeparatorsAndDotSegmentParametersCannotClimbOutOfARoute() throws Exception {
        for (String path : List.of("/api/s/..%2f..%2fadmin", "/api/s/..%2F..%2Fadmin", "/api/s/..;/..;/admin",
                "/api/s/..%5c..%5cadmin", "/api/s/%2e%2e;x/admin", "/api/s/a%00b")) {
            Reply reply = send(fixture, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(reply.status()).as(path).isEqualTo(400);
            assertThat(reply.text()).contains("\"error\":\"bad_path\"");
            assertThat(backend.requests()).isEmpty();
        }
    }

    @Test
    void anH2cUpgradeIsNeverForwarded() throws Exception {
        Reply reply = send(fixture, "GET /api/s/h2c HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: Upgrade, HTTP2-Settings, close\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        RecordingBackend.Request seen = backend.requests().get(0);
        assertThat(seen.headers().contains("Upgrade")).isFalse();
        assertThat(seen.headers().contains("HTTP2-Settings")).isFalse();
    }

    @Test
    void aRefusedWebSocketUpgradeOpensNoTunnelAndLeaksNoConnection() throws Exception {
        String upgrade = "GET /api/s/refuse-upgrade HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        for (int i = 0; i < 30; i++) {
            assertThat(sendOne(upgrade + "Connection: Upgrade\r\n\r\n").status()).isEqualTo(403);
        }
        // What follows a refused upgrade is an ordinary request, routed and framed by the gateway, never raw
        // bytes in a tunnel: the backend reads it as a request of its own.
        Reply reply = send(fixture, upgrade + "Connection: Upgrade\r\n\r\n"
                + "GET /api/s/after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(reply.statuses()).containsExactly(403, 200);
        assertThat(backend.requests()).allMatch(RecordingBackend.Request::decodedCleanly)
                .filteredOn(r -> r.uri().equals("/api/s/after")).hasSize(1);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (refusedUpgradeConnectionsOpen() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(refusedUpgradeConnectionsOpen()).as("upstream connections of refused upgrades still open")
                .isZero();
    }

    private static long refusedUpgradeConnectionsOpen() {
        return backend.connections.stream().filter(c -> !c.closed && c.requests.stream()
                .anyMatch(r -> r.uri().contains("refuse-upgrade"))).count();
    }

    @Test
    void expectContinueIsAnsweredByTheGateway() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(3_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/s/upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] head = new byte[25];
            int n = socket.getInputStream().read(head);
            assertThat(new String(head, 0, n, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 100 Continue");
            out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Reply reply = read(socket.getInputStream());
            assertThat(reply.text()).contains("HTTP/1.1 200 ");
        }
        RecordingBackend.Request seen = backend.requests().get(0);
        assertThat(seen.body()).isEqualTo("hello");
        assertThat(seen.headers().contains("Expect")).as("the gateway answered it").isFalse();
    }

    @Test
    void earlyHintsAreRelayed() throws Exception {
        Reply reply = send(fixture, "GET /api/s/hints HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(reply.statuses()).containsExactly(103, 200);
        assertThat(reply.text()).contains("rel=preload");
    }
}
