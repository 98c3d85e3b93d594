package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A seeded random mutator over a corpus of request-smuggling vectors, run for a bounded time against the
 * gateway and a recording backend. For every mutant:
 * <ul>
 * <li>the gateway never answers 5xx (the backend is healthy and fast);</li>
 * <li>the backend never receives more requests than the client received answers: a request the backend
 *     served whose answer the client never got is a smuggled one;</li>
 * <li>every byte stream the backend receives decodes cleanly into requests;</li>
 * <li>a request refused as malformed (400) leaves its connection closed.</li>
 * </ul>
 * The seed is fixed per run and printed with every failure, so a failing mutant can be replayed.
 */
class SmugglingFuzzTest {

    private static final long BUDGET_NANOS = 15_000_000_000L;
    private static final String SMUGGLED = SmugglingTest.SMUGGLED;
    private static final List<String> CORPUS = List.of(
            "POST /api/s/a HTTP/1.1\r\nHost: x\r\nContent-Length: 36\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\n" + SMUGGLED,
            "POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                    + "5c\r\n" + SMUGGLED + "\r\n0\r\n\r\n",
            "POST /api/s/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                    + SMUGGLED,
            "POST /api/s/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + SMUGGLED,
            "GET /api/s/a HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED,
            "POST /api/s/a HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
            "POST /api/s/a HTTP/1.1\r\nHost: x\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello"
                    + SMUGGLED,
            "GET /api/s/a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" + SMUGGLED);
    private static final List<String> TOKENS = List.of("\r\n", "\n", "\r", " ", "\t", ":", ";", "0", "5", "f",
            "chunked", "identity", ",", "\"", "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n",
            "Host: y\r\n", "\u0000", "\u000b", "_", "-", "%2f", "..", "HTTP/1.0", "Expect: 100-continue\r\n",
            "Connection: close\r\n", "\r\n\r\n");

    static GatewayFixture fixture;
    static RecordingBackend backend;

    @BeforeAll
    static void start() throws Exception {
        fixture = new GatewayFixture();
        backend = new RecordingBackend(fixture.registry.url(), "smug", "smug-fuzz");
        fixture.start("routes:\n  - path: /api/s/**\n    service: smug\n    max-body: 1KB\n",
                new GatewayOptions().setHeaderTimeoutMs(400).setBodyIdleTimeoutMs(400));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        backend.close();
    }

    @Test
    void noMutantSmugglesARequestOrGetsA5xx() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int cases = 0;
        while (System.nanoTime() < deadline) {
            String mutant = mutate(CORPUS.get(random.nextInt(CORPUS.size())), random);
            check(mutant, "seed " + seed + ", case " + cases);
            cases++;
        }
        System.out.println("smuggling fuzz: " + cases + " mutants in 15 s, seed " + seed); // a README figure
        assertThat(cases).as("mutants tried").isGreaterThan(20);
        assertThat(fixture.get("/api/s/still-serving").statusCode()).isEqualTo(200);
    }

    private static void check(String mutant, String label) throws IOException, InterruptedException {
        int before = backend.requestCount.get();
        StringBuilder text = new StringBuilder();
        boolean closed;
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(600);
            OutputStream out = socket.getOutputStream();
            out.write(mutant.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            SmugglingTest.Reply part = SmugglingTest.read(socket.getInputStream());
            text.append(part.text());
            closed = part.closed();
            // A slow machine may still be answering what the backend already served: wait for it (bounded)
            // before comparing the two counts, rather than call a late answer a smuggled request.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!closed && answers(text) < backend.requestCount.get() - before && System.nanoTime() < deadline) {
                part = SmugglingTest.read(socket.getInputStream());
                text.append(part.text());
                closed = part.closed();
            }
        }
        SmugglingTest.Reply reply = new SmugglingTest.Reply(text.toString(), closed);
        String context = label + ", mutant:\n" + printable(mutant) + "\nreply:\n" + reply.text();
        List<Integer> statuses = reply.statuses();
        assertThat(statuses).as(context).noneMatch(status -> status >= 500);
        long answers = answers(text);
        Thread.sleep(5); // let the backend record what it may still be reading
        assertThat(backend.requestCount.get() - before).as("requests served upstream vs answers, " + context)
                .isLessThanOrEqualTo((int) answers);
        assertThat(backend.requests()).as(context).allMatch(RecordingBackend.Request::decodedCleanly);
        if (!statuses.isEmpty() && statuses.get(statuses.size() - 1) == 400) {
            assertThat(reply.closed()).as("closed after a 400, " + context).isTrue();
        }
        backend.clear();
    }

    private static long answers(CharSequence text) {
        return new SmugglingTest.Reply(text.toString(), false).statuses().stream().filter(s -> s >= 200).count();
    }

    /** One to four edits: insert a token, delete a span, duplicate a line, or flip a character's case. */
    static String mutate(String seed, Random random) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && s.length() > 0; i++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(4)) {
                case 0 -> s.insert(at, TOKENS.get(random.nextInt(TOKENS.size())));
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(6)));
                case 2 -> {
                    int start = s.lastIndexOf("\r\n", at);
                    int end = s.indexOf("\r\n", at);
                    if (start >= 0 && end > start) {
                        s.insert(end, s.substring(start, end));
                    }
                }
                default -> {
                    char c = s.charAt(at);
                    s.setCharAt(at, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
                }
            }
        }
        return s.toString();
    }

    private static String printable(String raw) {
        return raw.replace("\r", "\\r").replace("\n", "\\n\n").replace("\u0000", "\\0").replace("\t", "\\t");
    }
}
