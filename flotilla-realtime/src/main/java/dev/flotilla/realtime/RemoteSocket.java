package dev.flotilla.realtime;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A socket as {@code fetchSockets()} describes it, on this instance or another: what Node's
 * {@code RemoteSocket} carries.
 *
 * @param id        the socket's id
 * @param rooms     the rooms it is in (its own id among them)
 * @param data      its {@code socket.data()}
 * @param handshake the request that opened it: headers, query, address, time, auth
 */
public record RemoteSocket(String id, Set<String> rooms, JsonObject data, JsonObject handshake) {

    public static RemoteSocket fromJson(JsonObject json) {
        return new RemoteSocket(json.getString("id"),
                json.getJsonArray("rooms", new JsonArray()).stream().map(String::valueOf)
                        .collect(Collectors.toUnmodifiableSet()),
                json.getJsonObject("data", new JsonObject()), json.getJsonObject("handshake", new JsonObject()));
    }

    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("rooms", new JsonArray(List.copyOf(rooms)))
                .put("data", data).put("handshake", handshake);
    }
}
