package dev.flotilla.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Java client ({@code io.socket:socket.io-client} 2.1) against two instances on real Redis:
 * connect over its default transports, acknowledgements both ways, binary, rooms across instances,
 * namespaces and their errors, auth refusal, disconnect reasons. (That client has no connection state
 * recovery; the Node.js client's tests cover it.)
 */
class JavaClientTest {

    private static final String REDIS = "redis://127.0.0.1:6379";
    private TestApp a;
    private TestApp b;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        RealtimeOptions options = RealtimeOptions.defaults().redisKey("java-" + UUID.randomUUID());
        a = TestApp.start("a", REDIS, options);
        b = TestApp.start("b", REDIS, options);
    }

    @AfterEach
    void stop() throws Exception {
        sockets.forEach(Socket::close);
        a.close();
        b.close();
    }

    private Socket connect(TestApp app, IO.Options options) throws Exception {
        Socket socket = IO.socket(app.url(), options);
        sockets.add(socket);
        BlockingQueue<Object> connected = new LinkedBlockingQueue<>();
        socket.once(Socket.EVENT_CONNECT, args -> connected.add("yes"));
        socket.once(Socket.EVENT_CONNECT_ERROR, args -> connected.add(args[0]));
        socket.connect();
        Object result = connected.poll(10, TimeUnit.SECONDS);
        assertThat(result).as("connected").isEqualTo("yes");
        return socket;
    }

    private static Object[] call(Socket socket, String event, Object... args) throws InterruptedException {
        BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
        socket.emit(event, args, (Ack) answers::add);
        Object[] answer = answers.poll(10, TimeUnit.SECONDS);
        assertThat(answer).as("the ack of " + event).isNotNull();
        return answer;
    }

    @Test
    void acknowledgementsAndBinaryArguments() throws Exception {
        Socket socket = connect(a, IO.Options.builder().setForceNew(true).setTransports(new String[] {"polling"})
                .build());
        Object[] echoed = call(socket, "echo", "text", 7, new JSONObject().put("k", "v"));
        assertThat(echoed[0]).isEqualTo("text");
        assertThat(echoed[1]).isEqualTo(7);
        assertThat(((JSONObject) echoed[2]).getString("k")).isEqualTo("v");
        byte[] bytes = {9, 8, 7, 0, -1};
        Object[] binary = call(socket, "echo", (Object) bytes);
        assertThat((byte[]) binary[0]).containsExactly(bytes);
        socket.close();
        Socket upgraded = connect(a, IO.Options.builder().setForceNew(true).build()); // polling, then WebSocket
        assertThat((byte[]) call(upgraded, "echo", (Object) bytes)[0]).containsExactly(bytes);
    }

    @Test
    void aRoomOnOneInstanceHearsABroadcastSentFromTheOther() throws Exception {
        Socket onA = connect(a, IO.Options.builder().setForceNew(true).setTransports(new String[] {"websocket"})
                .build());
        Socket onB = connect(b, IO.Options.builder().setForceNew(true).setTransports(new String[] {"polling"})
                .build());
        BlockingQueue<Object> heard = new LinkedBlockingQueue<>();
        onA.on("room-message", args -> heard.add(args[0]));
        assertThat(call(onA, "join", "java-room")[0]).isEqualTo("joined");
        onB.emit("to-room", "java-room", new JSONObject().put("from", "b"));
        Object message = heard.poll(10, TimeUnit.SECONDS);
        assertThat(message).isInstanceOf(JSONObject.class);
        assertThat(((JSONObject) message).getString("from")).isEqualTo("b");
    }

    @Test
    void namespacesServerAcknowledgementsAndDisconnectReasons() throws Exception {
        IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false).build();
        Socket admin = IO.socket(a.url() + "/admin", options);
        sockets.add(admin);
        BlockingQueue<Object> connected = new LinkedBlockingQueue<>();
        admin.once(Socket.EVENT_CONNECT, args -> connected.add("yes"));
        admin.connect();
        assertThat(connected.poll(10, TimeUnit.SECONDS)).isEqualTo("yes");
        assertThat(call(admin, "ping")[0]).isEqualTo("pong from /admin");

        Socket nowhere = IO.socket(a.url() + "/nowhere", options);
        sockets.add(nowhere);
        BlockingQueue<Object> error = new LinkedBlockingQueue<>();
        nowhere.once(Socket.EVENT_CONNECT_ERROR, args -> error.add(args[0]));
        nowhere.connect();
        assertThat(((JSONObject) error.poll(10, TimeUnit.SECONDS)).getString("message")).isEqualTo("Invalid namespace");

        Socket socket = connect(b, options);
        socket.on("question", args -> ((Ack) args[args.length - 1]).call("from java"));
        JSONObject asked = (JSONObject) call(socket, "ask-me", 2000)[0];
        assertThat(asked.getJSONArray("answer").getString(0)).isEqualTo("from java");
        BlockingQueue<Object> reason = new LinkedBlockingQueue<>();
        socket.once(Socket.EVENT_DISCONNECT, args -> reason.add(args[0]));
        socket.emit("kick-me");
        assertThat(reason.poll(10, TimeUnit.SECONDS)).isEqualTo("io server disconnect");
    }

    @Test
    void aRefusedConnectionCarriesTheReason() throws Exception {
        Socket socket = IO.socket(a.url(), IO.Options.builder().setForceNew(true).setReconnection(false)
                .setAuth(Map.of("token", "bad")).build());
        sockets.add(socket);
        BlockingQueue<Object> error = new LinkedBlockingQueue<>();
        socket.once(Socket.EVENT_CONNECT_ERROR, args -> error.add(args[0]));
        socket.connect();
        Object refusal = error.poll(10, TimeUnit.SECONDS);
        assertThat(refusal).isInstanceOf(JSONObject.class);
        assertThat(((JSONObject) refusal).getString("message")).isEqualTo("not authorized");
    }
}
