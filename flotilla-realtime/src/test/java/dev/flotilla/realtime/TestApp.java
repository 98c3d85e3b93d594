package dev.flotilla.realtime;

import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.RunningService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One instance of a small realtime service for the tests: every feature a test asks for is an event, so the
 * official clients can reach it. Instances with the same Redis key share rooms.
 */
final class TestApp implements AutoCloseable {

    final RealtimeServer io;
    final RunningService service;
    final String instance;
    /** "socketId:reason" for each socket that disconnected. */
    final List<String> disconnects;

    private TestApp(RealtimeServer io, RunningService service, String instance, List<String> disconnects) {
        this.io = io;
        this.service = service;
        this.instance = instance;
        this.disconnects = disconnects;
    }

    static TestApp start(String instance, String redisUrl, RealtimeOptions options) throws Exception {
        RealtimeServer io = RealtimeServer.create(options);
        List<String> disconnects = new CopyOnWriteArrayList<>();
        io.use(socket -> "bad".equals(socket.auth().getString("token"))
                ? Future.failedFuture(new ConnectionRefused("not authorized", new JsonObject().put("code", 401)))
                : Future.succeededFuture());
        io.onConnection(socket -> {
            socket.onDisconnect(reason -> disconnects.add(socket.id() + ":" + reason));
            socket.on("echo", (args, ack) -> ack.send(args.getList().toArray()));
            socket.on("join", (args, ack) -> {
                socket.join(args.getString(0));
                ack.send("joined");
            });
            socket.on("leave", (args, ack) -> {
                socket.leave(args.getString(0));
                ack.send("left");
            });
            socket.on("to-room", (args, ack) -> io.to(args.getString(0)).emit("room-message", args.getValue(1)));
            socket.on("to-others", (args, ack) -> socket.broadcast().emit("others", args.getValue(0)));
            socket.on("to-all", (args, ack) -> io.emit("all", args.getValue(0)));
            socket.on("ask-me", (args, ack) -> socket
                    .emitWithAck(Duration.ofMillis(args.getLong(0)), "question", "ready?")
                    .onComplete(ar -> ack.send(ar.succeeded() ? new JsonObject().put("answer", ar.result())
                            : new JsonObject().put("error", ar.cause().getMessage()))));
            socket.on("kick-me", (args, ack) -> socket.disconnect(true));
            socket.on("fetch", (args, ack) -> io.fetchSockets().onComplete(ar -> ack.send(new JsonObject()
                    .put("ids", new JsonArray(ar.result().values().stream().map(RemoteSocket::id).toList()))
                    .put("expected", ar.result().expected())
                    .put("answered", new JsonArray(ar.result().answered())))));
            socket.on("who", (args, ack) -> ack.send(new JsonObject().put("id", socket.id()).put("instance", instance)
                    .put("recovered", socket.recovered()).put("transport", socket.transport())
                    .put("rooms", new JsonArray(List.copyOf(socket.rooms()))).put("auth", socket.auth())));
        });
        io.of("/admin").onConnection(socket -> socket.on("ping", (args, ack) -> ack.send("pong from /admin")));
        io.of("/").onServerSideEmit("hello", (args, ack) -> {
            if (ack != null) {
                ack.accept(instance);
            }
        });
        FlotillaService builder = FlotillaService.named("realtime-test", "1.0.0").port(0)
                .routes((router, context) -> io.mount(router, context));
        builder.config(builder.config().withInstanceId(instance));
        if (redisUrl != null) {
            builder.redis(redisUrl);
        }
        RunningService service = builder.start().await(10, TimeUnit.SECONDS);
        io.ready().await(10, TimeUnit.SECONDS);
        return new TestApp(io, service, instance, disconnects);
    }

    String url() {
        return "http://127.0.0.1:" + service.port();
    }

    @Override
    public void close() throws Exception {
        service.close().await(15, TimeUnit.SECONDS);
    }
}
