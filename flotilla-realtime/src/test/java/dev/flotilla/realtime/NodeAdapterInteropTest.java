package dev.flotilla.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Flotilla instance and a Node.js {@code socket.io} 4.8 server with {@code @socket.io/redis-adapter} 8.3 on
 * one Redis share rooms, broadcasts, {@code fetchSockets} and {@code serverSideEmit}: a Node team can move
 * one node at a time. The npm adapter itself is on the other side.
 */
class NodeAdapterInteropTest {

    private static final String REDIS = "redis://127.0.0.1:6379";
    private TestApp flotilla;
    private Process node;
    private String nodeUrl;
    private NodeClients clients;

    @BeforeEach
    void start() throws Exception {
        String key = "interop-" + UUID.randomUUID();
        flotilla = TestApp.start("flotilla-a", REDIS, RealtimeOptions.defaults().redisKey(key)
                .requestTimeout(Duration.ofSeconds(2)));
        int port = Ports.free();
        node = new ProcessBuilder("node", "node-server.js", Integer.toString(port), REDIS, key)
                .directory(NodeClients.NODE_DIR.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("listening " + port);
        nodeUrl = "http://127.0.0.1:" + port;
        clients = NodeClients.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.close();
        node.destroy();
        node.waitFor();
        flotilla.close();
    }

    private static JsonObject websocket() {
        return new JsonObject().put("transports", new JsonArray().add("websocket"));
    }

    @Test
    void roomBroadcastsCrossBetweenFlotillaAndNode() {
        clients.connect("on-flotilla", flotilla.url(), websocket());
        clients.connect("on-node", nodeUrl, websocket());
        clients.listen("on-flotilla", "room-message");
        clients.listen("on-node", "room-message");
        clients.emitWithAck("on-flotilla", Duration.ofSeconds(5), "join", "mixed");
        clients.emitWithAck("on-node", Duration.ofSeconds(5), "join", "mixed");

        clients.emit("on-node", "to-room", "mixed", new JsonObject().put("from", "node"));
        clients.await("flotilla's client hears node's broadcast", r -> NodeClients.is(r, "event", "on-flotilla"));
        assertThat(clients.heard("on-flotilla", "room-message").get(0).getJsonObject(0).getString("from"))
                .isEqualTo("node");

        clients.emit("on-flotilla", "to-room", "mixed", new JsonObject().put("from", "flotilla"));
        clients.await("node's client hears flotilla's broadcast", r -> NodeClients.is(r, "event", "on-node")
                && r.getJsonArray("args").getJsonObject(0).getString("from").equals("flotilla"));

        clients.listen("on-node", "all");
        clients.emit("on-flotilla", "to-all", "everyone");
        clients.await("a broadcast to all reaches node's client", r -> NodeClients.is(r, "event", "on-node")
                && "all".equals(r.getString("event")));
    }

    @Test
    void fetchSocketsAndServerSideEmitAnswerAcrossTheTwo() throws Exception {
        JsonObject onFlotilla = clients.connect("on-flotilla", flotilla.url(), websocket());
        JsonObject onNode = clients.connect("on-node", nodeUrl, websocket());

        JsonObject fromFlotilla = clients.emitWithAck("on-flotilla", Duration.ofSeconds(5), "fetch")
                .getJsonArray("args").getJsonObject(0);
        assertThat(fromFlotilla.getJsonArray("ids").getList())
                .contains(onFlotilla.getString("id"), onNode.getString("id"));
        assertThat(fromFlotilla.getJsonArray("answered").getList()).containsExactly("node");

        JsonObject fromNode = clients.emitWithAck("on-node", Duration.ofSeconds(5), "fetch")
                .getJsonArray("args").getJsonObject(0);
        assertThat(fromNode.getJsonArray("ids").getList())
                .contains(onFlotilla.getString("id"), onNode.getString("id"));

        ClusterReply<Object> answers = flotilla.io.of("/").serverSideEmitWithAck("hello")
                .await(5, TimeUnit.SECONDS);
        assertThat(answers.values()).containsExactly("node");

        JsonObject nodeAsked = clients.emitWithAck("on-node", Duration.ofSeconds(5), "hello-servers")
                .getJsonArray("args").getJsonObject(0);
        assertThat(nodeAsked.getValue("error")).isNull();
        assertThat(nodeAsked.getJsonArray("answers").getList()).containsExactly("flotilla-a");
    }

    @Test
    void aFrozenNodeDoesNotHoldFetchSocketsUpAndIsCountedAsMissing() throws Exception {
        JsonObject onFlotilla = clients.connect("on-flotilla", flotilla.url(), websocket());
        new ProcessBuilder("kill", "-STOP", Long.toString(node.pid())).start().waitFor();
        try {
            // Answers after the request timeout (2 s) with what it has; a hang would fail the await.
            ClusterReply<RemoteSocket> reply = flotilla.io.fetchSockets().await(20, TimeUnit.SECONDS);
            assertThat(reply.values()).extracting(RemoteSocket::id).containsExactly(onFlotilla.getString("id"));
            assertThat(reply.expected()).isEqualTo(1);
            assertThat(reply.missing()).isEqualTo(1);
            assertThat(reply.complete()).isFalse();
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(node.pid())).start().waitFor();
        }
    }
}
