package dev.flotilla.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wire, packet by packet, as the Engine.IO v4 and Socket.IO v5 protocol documents describe it: the
 * handshake's fields, long-polling batches, the upgrade's probe sequence, duplicate polls, binary
 * placeholders, namespace errors, and the server's limits. No client library: raw HTTP and WebSocket.
 */
class ProtocolTest {

    private static final char SEP = '\u001e';
    private Vertx vertx;
    private HttpClient http;
    private WebSocketClient ws;
    private Context context;
    private TestApp app;

    @BeforeEach
    void start() throws Exception {
        app = TestApp.start("solo", null, RealtimeOptions.defaults().pingInterval(Duration.ofMillis(300))
                .pingTimeout(Duration.ofMillis(200)).maxPayload(10_000).maxPacketsPerSecond(50)
                .allowedOrigins(List.of("https://allowed.example")));
        vertx = Vertx.vertx();
        http = vertx.createHttpClient();
        ws = vertx.createWebSocketClient();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() throws Exception {
        app.close();
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    private record Answer(int status, MultiMap headers, String body) {
    }

    private Answer request(HttpMethod method, String query, String body, MultiMap headers) throws Exception {
        RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1")
                .setPort(app.service.port()).setURI("/socket.io/?" + query);
        if (headers != null) {
            options.setHeaders(headers);
        }
        return onContext(() -> http.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(),
                        response.headers(), b.toString()))))
                .await(10, TimeUnit.SECONDS);
    }

    /**
     * Starts a client call on a Vert.x context: Vert.x 5's clients can stall when calls start on a plain
     * thread (the registry's client follows the same rule).
     */
    private <T> Future<T> onContext(Supplier<Future<T>> call) {
        Promise<T> result = Promise.promise();
        context.runOnContext(v -> call.get().onComplete(result));
        return result.future();
    }

    private Answer get(String query) throws Exception {
        return request(HttpMethod.GET, query, null, null);
    }

    private Answer post(String query, String body) throws Exception {
        return request(HttpMethod.POST, query, body, null);
    }

    /** Opens a polling session; returns its sid. */
    private String handshake() throws Exception {
        Answer open = get("EIO=4&transport=polling");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.body()).startsWith("0");
        return new JsonObject(open.body().substring(1)).getString("sid");
    }

    /** A polling session that has joined the main namespace; returns its query string. */
    private String joinedSession() throws Exception {
        String q = "EIO=4&transport=polling&sid=" + handshake();
        post(q, "40");
        assertThat(get(q).body()).startsWith("40{\"sid\":");
        return q;
    }

    @Test
    void theHandshakeCarriesTheSessionAndItsLimits() throws Exception {
        Answer open = get("EIO=4&transport=polling");
        assertThat(open.headers().get("Content-Type")).startsWith("text/plain");
        JsonObject fields = new JsonObject(open.body().substring(1));
        assertThat(fields.getString("sid")).hasSize(20);
        assertThat(fields.getJsonArray("upgrades").getList()).containsExactly("websocket");
        assertThat(fields.getLong("pingInterval")).isEqualTo(300);
        assertThat(fields.getLong("pingTimeout")).isEqualTo(200);
        assertThat(fields.getLong("maxPayload")).isEqualTo(10_000);
    }

    @Test
    void badRequestsGetTheProtocolsErrorCodes() throws Exception {
        assertThat(get("EIO=3&transport=polling")).satisfies(a -> {
            assertThat(a.status()).isEqualTo(400);
            assertThat(new JsonObject(a.body()).getInteger("code")).isEqualTo(5);
        });
        assertThat(new JsonObject(get("EIO=4&transport=carrier-pigeon").body()).getInteger("code")).isEqualTo(0);
        assertThat(new JsonObject(get("EIO=4&transport=polling&sid=nope").body()).getInteger("code"))
                .isEqualTo(1);
        Answer post = post("EIO=4&transport=polling", "40");
        assertThat(new JsonObject(post.body()).getInteger("code")).isEqualTo(2);
        Answer wsWithoutUpgrade = get("EIO=4&transport=websocket");
        assertThat(new JsonObject(wsWithoutUpgrade.body()).getInteger("code")).isEqualTo(3);
    }

    @Test
    void pollingCarriesBatchesBothWays() throws Exception {
        String sid = handshake();
        String q = "EIO=4&transport=polling&sid=" + sid;
        // Two packets in one POST: join the main namespace, then an event with an ack id.
        assertThat(post(q, "40" + SEP + "421[\"echo\",\"one\"]").body()).isEqualTo("ok");
        Answer batch = get(q);
        String[] packets = batch.body().split(String.valueOf(SEP));
        assertThat(packets).hasSize(2);
        assertThat(packets[0]).startsWith("40{\"sid\":");
        assertThat(packets[1]).isEqualTo("431[\"one\"]");
    }

    @Test
    void aBinaryAttachmentTravelsAsBase64OnPolling() throws Exception {
        String q = joinedSession();
        String placeholder = "{\"_placeholder\":true,\"num\":0}";
        post(q, "451-7[\"echo\"," + placeholder + "]" + SEP + "bAQID"); // bytes 1, 2, 3
        Answer answer = get(q);
        assertThat(answer.body()).isEqualTo("461-7[" + placeholder + "]" + SEP + "bAQID");
    }

    @Test
    void aSecondPollWhileOneWaitsIsRefusedAndClosesTheSession() throws Exception {
        String q = joinedSession();
        Future<String> waiting = onContext(() -> http.request(HttpMethod.GET, app.service.port(), "127.0.0.1",
                "/socket.io/?" + q).compose(r -> r.send()).compose(HttpClientResponse::body).map(Buffer::toString));
        Thread.sleep(100);
        Answer duplicate = get(q);
        assertThat(duplicate.status()).isEqualTo(400);
        assertThat(new JsonObject(duplicate.body()).getInteger("code")).isEqualTo(3);
        String closed = waiting.await(5, TimeUnit.SECONDS);
        assertThat(closed).isEqualTo("1");
        assertThat(new JsonObject(get(q).body()).getInteger("code")).isEqualTo(1);
    }

    @Test
    void theUpgradeFollowsTheProbeSequence() throws Exception {
        String q = joinedSession();
        String sid = q.substring(q.lastIndexOf('=') + 1);
        Future<String> poll = onContext(() -> http.request(HttpMethod.GET, app.service.port(), "127.0.0.1",
                "/socket.io/?" + q).compose(r -> r.send()).compose(HttpClientResponse::body).map(Buffer::toString));
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        ClientWebSocket socket = ws.webSocket();
        socket.textMessageHandler(frames::add);
        onContext(() -> socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(app.service.port())
                .setURI("/socket.io/?EIO=4&transport=websocket&sid=" + sid))).await(5, TimeUnit.SECONDS);
        socket.writeTextMessage("2probe");
        assertThat(frames.poll(5, TimeUnit.SECONDS)).isEqualTo("3probe");
        assertThat(poll.await(5, TimeUnit.SECONDS)).as("the waiting poll ends with a noop").isEqualTo("6");
        socket.writeTextMessage("5");
        socket.writeTextMessage("421[\"echo\",\"over websocket\"]");
        String next = frames.poll(5, TimeUnit.SECONDS);
        while ("2".equals(next)) { // the heartbeat may come first
            socket.writeTextMessage("3");
            next = frames.poll(5, TimeUnit.SECONDS);
        }
        assertThat(next).isEqualTo("431[\"over websocket\"]");
        Answer afterUpgrade = get(q);
        assertThat(afterUpgrade.status()).as("long-polling is over for this session").isEqualTo(400);
    }

    @Test
    void aClientThatDoesNotAnswerPingsIsClosed() throws Exception {
        String q = joinedSession();
        assertThat(get(q).body()).as("the server pings").isEqualTo("2");
        Thread.sleep(400); // no pong within pingTimeout (200 ms)
        assertThat(new JsonObject(get(q).body()).getInteger("code")).isEqualTo(1);
        dev.flotilla.testing.Eventually.await("the socket's reason", Duration.ofSeconds(2),
                () -> app.disconnects.stream().anyMatch(d -> d.endsWith(":ping timeout")));
    }

    @Test
    void namespaceErrorsNameTheNamespace() throws Exception {
        String sid = handshake();
        String q = "EIO=4&transport=polling&sid=" + sid;
        post(q, "40/nowhere,");
        assertThat(get(q).body()).isEqualTo("44/nowhere,{\"message\":\"Invalid namespace\"}");
        post(q, "40/admin,");
        assertThat(get(q).body()).startsWith("40/admin,{\"sid\":");
    }

    @Test
    void aForeignOriginIsRefusedWithoutCorsHeadersAndAnAllowedOneGetsThem() throws Exception {
        Answer allowed = request(HttpMethod.GET, "EIO=4&transport=polling", null,
                MultiMap.caseInsensitiveMultiMap().add("Origin", "https://allowed.example"));
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://allowed.example");
        Answer foreign = request(HttpMethod.GET, "EIO=4&transport=polling", null,
                MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example"));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.headers().get("Access-Control-Allow-Origin")).isNull();
        // The JDK's WebSocket client: its failure carries the refused handshake's status.
        Throwable refused = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "https://evil.example")
                .buildAsync(URI.create("ws://127.0.0.1:" + app.service.port()
                        + "/socket.io/?EIO=4&transport=websocket"), new java.net.http.WebSocket.Listener() { })
                .handle((socket, error) -> error).get(5, TimeUnit.SECONDS);
        assertThat(refused).as("a WebSocket from a foreign page is refused too").isNotNull();
        Throwable cause = refused.getCause() == null ? refused : refused.getCause();
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) cause).getResponse().statusCode()).isEqualTo(403);

        Answer sameOrigin = request(HttpMethod.GET, "EIO=4&transport=polling", null, MultiMap
                .caseInsensitiveMultiMap().add("Origin", "http://127.0.0.1:" + app.service.port()));
        assertThat(sameOrigin.status()).as("the page's own origin").isEqualTo(200);
    }

    @Test
    void aMalformedPacketClosesThatConnectionOnly() throws Exception {
        String bystander = handshake();
        post("EIO=4&transport=polling&sid=" + bystander, "40");
        get("EIO=4&transport=polling&sid=" + bystander);
        String q = joinedSession();
        post(q, "42[\"echo\""); // not JSON
        assertThat(new JsonObject(get(q).body()).getInteger("code")).isEqualTo(1);
        post("EIO=4&transport=polling&sid=" + bystander, "421[\"echo\",\"still here\"]");
        assertThat(get("EIO=4&transport=polling&sid=" + bystander).body()).isEqualTo("431[\"still here\"]");
    }

    @Test
    void limitsOnPayloadAndPacketRateDisconnectWithAReason() throws Exception {
        String q = joinedSession();
        Answer tooBig = post(q, "42[\"echo\",\"" + "x".repeat(20_000) + "\"]");
        assertThat(tooBig.status()).isEqualTo(413);
        dev.flotilla.testing.Eventually.await("the reason", Duration.ofSeconds(2),
                () -> app.disconnects.stream().anyMatch(d -> d.endsWith(":payload too large")));

        String chatty = handshake();
        String cq = "EIO=4&transport=polling&sid=" + chatty;
        post(cq, "40");
        get(cq);
        StringBuilder flood = new StringBuilder("42[\"echo\"]");
        for (int i = 0; i < 60; i++) {
            flood.append(SEP).append("42[\"echo\"]");
        }
        post(cq, flood.toString());
        dev.flotilla.testing.Eventually.await("the reason", Duration.ofSeconds(2),
                () -> app.disconnects.stream().anyMatch(d -> d.endsWith(":packet rate exceeded")));
    }

    @Test
    void aWebSocketMessageOverTheLimitClosesTheConnection() throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
        ClientWebSocket socket = ws.webSocket(); // handlers set before connecting: no frame is missed
        socket.textMessageHandler(frames::add);
        socket.closeHandler(v -> closed.add(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));
        onContext(() -> socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(app.service.port())
                .setURI("/socket.io/?EIO=4&transport=websocket"))).await(5, TimeUnit.SECONDS);
        assertThat(frames.poll(5, TimeUnit.SECONDS)).startsWith("0{");
        socket.writeTextMessage("40");
        assertThat(frames.poll(5, TimeUnit.SECONDS)).startsWith("40{\"sid\":");
        socket.writeTextMessage("42[\"echo\",\"" + "x".repeat(20_000) + "\"]");
        assertThat(closed.poll(5, TimeUnit.SECONDS)).isNotNull();
        dev.flotilla.testing.Eventually.await("the reason", Duration.ofSeconds(2),
                () -> app.disconnects.stream().anyMatch(d -> d.endsWith(":payload too large")));
    }
}
