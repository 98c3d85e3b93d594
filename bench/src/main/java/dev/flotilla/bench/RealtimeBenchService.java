package dev.flotilla.bench;

import dev.flotilla.realtime.RealtimeOptions;
import dev.flotilla.realtime.RealtimeServer;
import dev.flotilla.service.FlotillaService;
import java.util.Locale;

/**
 * The service the realtime benchmark drives, the same as its Node.js counterpart (bench/socketio/server.js):
 * {@code join} puts the socket in a room and acknowledges; {@code bench} sends its payload to the room
 * {@code bench}, on every instance. The cluster mode comes from {@code REALTIME_CLUSTER} (pubsub, streams).
 */
public final class RealtimeBenchService {

    private RealtimeBenchService() {
    }

    public static void main(String[] args) {
        RealtimeOptions options = RealtimeOptions.defaults().maxPacketsPerSecond(100_000)
                .cluster(RealtimeOptions.Cluster.valueOf(System.getenv().getOrDefault("REALTIME_CLUSTER", "pubsub")
                        .toUpperCase(Locale.ROOT)));
        RealtimeServer io = RealtimeServer.create(options);
        io.onConnection(socket -> {
            socket.on("join", (message, ack) -> {
                socket.join(message.getString(0));
                ack.send("joined");
            });
            socket.on("bench", (message, ack) -> io.to("bench").emit("bench", message.getValue(0)));
        });
        FlotillaService.named("realtime-bench", "1.0.0").routes((router, service) -> io.mount(router, service)).run();
    }
}
