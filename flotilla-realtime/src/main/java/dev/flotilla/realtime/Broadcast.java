package dev.flotilla.realtime;

import dev.flotilla.realtime.adapter.BroadcastOptions;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sockets chosen by room, on every instance of the service (Socket.IO's {@code BroadcastOperator}):
 * {@code io.to("room").except("other").emit("event", args)}. Each call returns a new operator; the original
 * is unchanged.
 */
public final class Broadcast {

    private final Namespace namespace;
    private final Set<String> rooms;
    private final Set<String> except;
    private final boolean local;
    private final boolean isVolatile;

    Broadcast(Namespace namespace, Set<String> rooms, Set<String> except, boolean local, boolean isVolatile) {
        this.namespace = namespace;
        this.rooms = Set.copyOf(rooms);
        this.except = Set.copyOf(except);
        this.local = local;
        this.isVolatile = isVolatile;
    }

    /** Only sockets in one of these rooms (added to the rooms chosen so far). */
    public Broadcast to(String... moreRooms) {
        Set<String> all = new HashSet<>(rooms);
        all.addAll(List.of(moreRooms));
        return new Broadcast(namespace, all, except, local, isVolatile);
    }

    /** The same as {@link #to}. */
    public Broadcast in(String... moreRooms) {
        return to(moreRooms);
    }

    /** Not the sockets in these rooms. */
    public Broadcast except(String... excluded) {
        Set<String> all = new HashSet<>(except);
        all.addAll(List.of(excluded));
        return new Broadcast(namespace, rooms, all, local, isVolatile);
    }

    /** Only this instance's sockets. */
    public Broadcast local() {
        return new Broadcast(namespace, rooms, except, true, isVolatile);
    }

    /** Packets that may be lost, and are not kept for clients that come back (Socket.IO's {@code volatile}). */
    public Broadcast asVolatile() {
        return new Broadcast(namespace, rooms, except, local, true);
    }

    /** Sends the event to every chosen socket, once per instance over Redis. */
    public void emit(String event, Object... args) {
        namespace.adapter().broadcast(Namespace.eventData(event, args), options());
    }

    /** The chosen sockets, here and on the other instances that answer within the request timeout. */
    public Future<ClusterReply<RemoteSocket>> fetchSockets() {
        return namespace.adapter().fetchSockets(options()).map(reply -> new ClusterReply<>(
                reply.values().stream().map(RemoteSocket::fromJson).toList(), reply.expected(), reply.answered(),
                reply.silent()));
    }

    /** Makes the chosen sockets join rooms, wherever they are. */
    public void socketsJoin(String... newRooms) {
        namespace.adapter().addSockets(options(), List.of(newRooms));
    }

    /** Makes the chosen sockets leave rooms, wherever they are. */
    public void socketsLeave(String... oldRooms) {
        namespace.adapter().delSockets(options(), List.of(oldRooms));
    }

    /** Disconnects the chosen sockets, wherever they are; {@code close} also closes their connections. */
    public void disconnectSockets(boolean close) {
        namespace.adapter().disconnectSockets(options(), close);
    }

    private BroadcastOptions options() {
        return new BroadcastOptions(rooms, except, local, isVolatile);
    }
}
