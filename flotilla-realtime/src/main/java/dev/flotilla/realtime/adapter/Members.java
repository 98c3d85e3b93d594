package dev.flotilla.realtime.adapter;

import dev.flotilla.realtime.protocol.EncodedPacket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/** What an adapter needs from its namespace on this instance: its sockets, and its server-side handlers. */
public interface Members {

    String namespace();

    /** Sends an encoded packet to the local sockets {@code sids} that are still here. */
    void deliver(List<String> sids, EncodedPacket packet);

    /** The local socket {@code sid} as fetchSockets describes it ({@code id, rooms, data, handshake}), or null. */
    JsonObject describe(String sid);

    /** Disconnects the local socket {@code sid}. */
    void disconnect(String sid, boolean close);

    /** A {@code serverSideEmit} from another instance; {@code ack} is null when none was asked for. */
    void serverSideEmit(JsonArray args, Consumer<Object> ack);
}
