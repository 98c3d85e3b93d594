package dev.flotilla.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Node.js client ({@code socket.io-client} 4.8 from npm) against two instances that share
 * rooms through the real Redis: each feature as a Socket.IO user relies on it.
 */
class OfficialClientTest {

    static final String REDIS = "redis://127.0.0.1:6379";
    TestApp a;
    TestApp b;
    NodeClients clients;

    /** The cluster mode under test: pub/sub here, Redis Streams in the subclass. */
    RealtimeOptions.Cluster cluster() {
        return RealtimeOptions.Cluster.PUBSUB;
    }

    String redisKey;

    @BeforeEach
    void start() throws Exception {
        redisKey = "test-" + UUID.randomUUID();
        RealtimeOptions options = RealtimeOptions.defaults().redisKey(redisKey).cluster(cluster())
                .requestTimeout(Duration.ofSeconds(2));
        a = TestApp.start("a", REDIS, options);
        b = TestApp.start("b", REDIS, options);
        clients = NodeClients.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.close();
        a.close();
        b.close();
    }

    static JsonObject opts() {
        return new JsonObject();
    }

    static JsonObject websocketOnly() {
        return new JsonObject().put("transports", new JsonArray().add("websocket"));
    }

    static JsonObject pollingOnly() {
        return new JsonObject().put("transports", new JsonArray().add("polling"));
    }

    @Test
    void theDefaultClientStartsWithPollingThenUpgradesToWebSocket() {
        JsonObject connected = clients.connect("c", a.url(), opts());
        assertThat(connected.getBoolean("recovered")).isFalse();
        assertThat(clients.await("the connection", r -> NodeClients.is(r, "open", "c")).getString("transport"))
                .isEqualTo("polling");
        assertThat(clients.await("the upgrade", r -> NodeClients.is(r, "upgrade", "c")).getString("transport"))
                .isEqualTo("websocket");
        JsonObject who = clients.emitWithAck("c", Duration.ofSeconds(5), "who").getJsonArray("args").getJsonObject(0);
        assertThat(who.getString("id")).isEqualTo(connected.getString("id"));
        assertThat(who.getString("transport")).isEqualTo("websocket");
        assertThat(who.getJsonArray("rooms").getList()).containsExactly(connected.getString("id"));
    }

    @Test
    void acknowledgementsWorkBothWaysWithTimeouts() {
        clients.connect("c", a.url(), websocketOnly());
        JsonObject echoed = clients.emitWithAck("c", Duration.ofSeconds(5), "echo", "hi", 42,
                new JsonObject().put("nested", new JsonArray().add(true)));
        assertThat(echoed.getJsonArray("args").getValue(0)).isEqualTo("hi");

        clients.listen("c", "question", new JsonArray().add("yes"));
        JsonObject asked = clients.emitWithAck("c", Duration.ofSeconds(5), "ask-me", 2000);
        assertThat(asked.getJsonArray("args").getJsonObject(0).getJsonArray("answer"))
                .isEqualTo(new JsonArray().add("yes"));

        clients.connect("silent", a.url(), websocketOnly());
        clients.listen("silent", "question"); // hears it, never answers
        JsonObject unanswered = clients.emitWithAck("silent", Duration.ofSeconds(5), "ask-me", 300);
        assertThat(unanswered.getJsonArray("args").getJsonObject(0).getString("error"))
                .contains("no acknowledgement").contains("300 ms");

        JsonObject late = clients.emitWithAck("c", Duration.ofMillis(200), "never-answered");
        assertThat(late.getString("error")).contains("timed out");
    }

    @Test
    void aRoomBroadcastReachesItsMembersOnBothInstancesAndNoOneElse() {
        clients.connect("on-a", a.url(), websocketOnly());
        clients.connect("on-b", b.url(), pollingOnly());
        clients.connect("outsider", b.url(), websocketOnly());
        for (String name : new String[] {"on-a", "on-b", "outsider"}) {
            clients.listen(name, "room-message");
        }
        clients.emitWithAck("on-a", Duration.ofSeconds(5), "join", "lobby");
        clients.emitWithAck("on-b", Duration.ofSeconds(5), "join", "lobby");

        clients.emit("outsider", "to-room", "lobby", new JsonObject().put("text", "from b"));
        clients.await("on-a hears it", r -> NodeClients.is(r, "event", "on-a"));
        clients.await("on-b hears it", r -> NodeClients.is(r, "event", "on-b"));
        assertThat(clients.heard("on-a", "room-message").get(0).getJsonObject(0).getString("text"))
                .isEqualTo("from b");

        clients.emitWithAck("on-a", Duration.ofSeconds(5), "leave", "lobby");
        clients.emit("outsider", "to-room", "lobby", "second");
        clients.await("on-b hears the second", r -> NodeClients.is(r, "event", "on-b")
                && r.getJsonArray("args").getValue(0).equals("second"));
        clients.emitWithAck("on-a", Duration.ofSeconds(5), "echo", "flush");
        assertThat(clients.heard("on-a", "room-message")).hasSize(1);
        assertThat(clients.heard("outsider", "room-message")).isEmpty();
    }

    @Test
    void broadcastFromASocketSkipsTheSender() {
        clients.connect("sender", a.url(), websocketOnly());
        clients.connect("other", b.url(), websocketOnly());
        clients.listen("sender", "others");
        clients.listen("other", "others");
        clients.emit("sender", "to-others", "hello");
        clients.await("the other hears it", r -> NodeClients.is(r, "event", "other"));
        clients.emitWithAck("sender", Duration.ofSeconds(5), "echo", "flush");
        assertThat(clients.heard("sender", "others")).isEmpty();
    }

    @Test
    void binaryAttachmentsTravelBothWaysOnBothTransports() {
        byte[] bytes = {0, 1, 2, (byte) 255, 10, 30};
        JsonObject binary = new JsonObject().put("$bin", Base64.getEncoder().encodeToString(bytes));
        for (String name : new String[] {"ws", "polling"}) {
            clients.connect(name, a.url(), name.equals("ws") ? websocketOnly() : pollingOnly());
            JsonObject echoed = clients.emitWithAck(name, Duration.ofSeconds(5), "echo",
                    new JsonObject().put("name", "file").put("content", binary).put("more", new JsonArray().add(binary)));
            JsonObject answer = echoed.getJsonArray("args").getJsonObject(0);
            assertThat(answer.getString("name")).isEqualTo("file");
            assertThat(answer.getJsonObject("content").getString("$bin")).isEqualTo(binary.getString("$bin"));
            assertThat(answer.getJsonArray("more").getJsonObject(0).getString("$bin"))
                    .isEqualTo(binary.getString("$bin"));
        }
    }

    @Test
    void namespacesAndTheirErrors() {
        clients.connectAsync("admin", a.url(), "/admin", websocketOnly());
        clients.await("admin connects", r -> NodeClients.is(r, "connect", "admin"));
        JsonObject pong = clients.emitWithAck("admin", Duration.ofSeconds(5), "ping");
        assertThat(pong.getJsonArray("args").getValue(0)).isEqualTo("pong from /admin");

        clients.connectAsync("nowhere", a.url(), "/nowhere", websocketOnly());
        JsonObject error = clients.await("the error", r -> NodeClients.is(r, "connect_error", "nowhere"));
        assertThat(error.getString("message")).isEqualTo("Invalid namespace");
    }

    @Test
    void middlewareSeesTheAuthPayloadAndCanRefuseWithAReason() {
        JsonObject auth = new JsonObject().put("token", "good").put("user", "ada");
        clients.connect("ok", a.url(), websocketOnly().put("auth", auth));
        JsonObject who = clients.emitWithAck("ok", Duration.ofSeconds(5), "who").getJsonArray("args").getJsonObject(0);
        assertThat(who.getJsonObject("auth")).isEqualTo(auth);

        clients.connectAsync("refused", a.url(), "", pollingOnly().put("auth", new JsonObject().put("token", "bad")));
        JsonObject error = clients.await("the refusal", r -> NodeClients.is(r, "connect_error", "refused"));
        assertThat(error.getString("message")).isEqualTo("not authorized");
        assertThat(error.getJsonObject("data")).isEqualTo(new JsonObject().put("code", 401));
    }

    @Test
    void disconnectReasonsOnBothSides() throws Exception {
        JsonObject kicked = clients.connect("kicked", a.url(), websocketOnly());
        clients.emit("kicked", "kick-me");
        JsonObject gone = clients.await("kicked disconnects", r -> NodeClients.is(r, "disconnect", "kicked"));
        assertThat(gone.getString("reason")).isEqualTo("io server disconnect");
        dev.flotilla.testing.Eventually.await("the server's reason", Duration.ofSeconds(5),
                () -> a.disconnects.contains(kicked.getString("id") + ":server namespace disconnect"));

        JsonObject leaving = clients.connect("leaving", a.url(), pollingOnly());
        clients.simple("disconnect", "leaving");
        dev.flotilla.testing.Eventually.await("the server's reason", Duration.ofSeconds(5),
                () -> a.disconnects.contains(leaving.getString("id") + ":client namespace disconnect"));
    }

    @Test
    void aClientThatDropsComesBackWithItsIdRoomsAndWhatItMissed() {
        JsonObject first = clients.connect("c", a.url(), websocketOnly());
        clients.listen("c", "room-message");
        clients.emitWithAck("c", Duration.ofSeconds(5), "join", "news");
        clients.connect("sender", a.url(), websocketOnly());
        clients.emit("sender", "to-room", "news", "before");
        clients.await("c hears the first", r -> NodeClients.is(r, "event", "c"));

        clients.simple("drop", "c");
        clients.await("c notices", r -> NodeClients.is(r, "disconnect", "c"));
        clients.emit("sender", "to-room", "news", "while you were away");
        JsonObject back = clients.await("c is back", r -> NodeClients.is(r, "connect", "c")
                && r != null && r.getBoolean("recovered"));
        assertThat(back.getString("id")).isEqualTo(first.getString("id"));
        clients.await("c gets the missed packet", r -> NodeClients.is(r, "event", "c")
                && r.getJsonArray("args").getValue(0).equals("while you were away"));
        assertThat(clients.heard("c", "room-message")).extracting(args -> args.getValue(0))
                .containsExactly("before", "while you were away");
        JsonObject who = clients.emitWithAck("c", Duration.ofSeconds(5), "who").getJsonArray("args").getJsonObject(0);
        assertThat(who.getJsonArray("rooms").getList()).contains("news");
        assertThat(who.getBoolean("recovered")).isTrue();
    }

    @Test
    void fetchSocketsAndServerSideEmitSpanInstances() throws Exception {
        JsonObject onA = clients.connect("on-a", a.url(), websocketOnly());
        JsonObject onB = clients.connect("on-b", b.url(), websocketOnly());
        JsonObject fetched = clients.emitWithAck("on-a", Duration.ofSeconds(8), "fetch")
                .getJsonArray("args").getJsonObject(0);
        assertThat(fetched.getJsonArray("ids").getList()).contains(onA.getString("id"), onB.getString("id"));
        assertThat(fetched.getInteger("expected")).isEqualTo(1);
        assertThat(fetched.getJsonArray("answered").getList()).containsExactly("b");

        ClusterReply<Object> replies = a.io.of("/").serverSideEmitWithAck("hello")
                .await(8, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(replies.values()).containsExactly("b");
        assertThat(replies.complete()).isTrue();
    }

    @Test
    void aRequestNamesTheInstanceThatDidNotAnswer() throws Exception {
        // A frozen instance, seen from outside: it is subscribed and said it was alive, and answers nothing.
        Vertx frozen = Vertx.vertx();
        try {
            RedisConnection silent = Redis.createClient(frozen, REDIS).connect().await(5, TimeUnit.SECONDS);
            silent.handler(message -> { });
            silent.send(Request.cmd(Command.SUBSCRIBE).arg(redisKey + "-request#/#")).await(5, TimeUnit.SECONDS);
            Redis.createClient(frozen, REDIS).send(Request.cmd(Command.HSET).arg(redisKey + "-nodes#/#")
                    .arg("frozen-uid").arg("c|" + System.currentTimeMillis())).await(5, TimeUnit.SECONDS);

            ClusterReply<RemoteSocket> reply = a.io.fetchSockets().await(20, TimeUnit.SECONDS);
            assertThat(reply.expected()).isEqualTo(2);
            assertThat(reply.answered()).containsExactly("b");
            assertThat(reply.silent()).containsExactly("c");
            assertThat(reply.missing()).isEqualTo(1);
        } finally {
            frozen.close().await(5, TimeUnit.SECONDS);
        }
    }
}
