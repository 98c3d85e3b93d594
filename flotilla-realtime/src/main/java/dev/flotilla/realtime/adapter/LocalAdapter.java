package dev.flotilla.realtime.adapter;

import dev.flotilla.realtime.ClusterReply;
import dev.flotilla.realtime.RealtimeOptions;
import dev.flotilla.realtime.protocol.PacketCodec;
import dev.flotilla.realtime.protocol.SocketPacket;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rooms of one namespace on this instance, and delivery to them: Socket.IO's in-memory adapter. With
 * connection state recovery on, it also keeps what a client needs to come back: the state of sockets that
 * dropped, and the packets broadcast within the recovery window, each with an offset the client echoes.
 *
 * <p>Event-loop threads of one process share it, so its maps are guarded by its monitor; a broadcast picks
 * its sockets under the lock, encodes the packet once, and sends outside the lock.
 */
public class LocalAdapter {

    /** Packets kept for recovery, at most: a bound on memory when a namespace is very busy. */
    private static final int MAX_LOGGED_PACKETS = 100_000;

    protected final Members members;
    protected final RealtimeOptions options;
    private final Map<String, Set<String>> rooms = new HashMap<>();
    private final Map<String, Set<String>> socketRooms = new HashMap<>();
    private final Map<String, PersistedSession> sessions = new HashMap<>();
    private final ArrayDeque<LoggedPacket> log = new ArrayDeque<>();
    private long nextOffset;

    /** A disconnected socket's state, kept for its client's return. */
    public record PersistedSession(String sid, String pid, Set<String> rooms, JsonObject data, long disconnectedAt) {
    }

    /** A session found again, with the event packets (data arrays) it missed. */
    public record RestoredSession(String sid, String pid, Set<String> rooms, JsonObject data,
            List<JsonArray> missed) {
    }

    private record LoggedPacket(String offset, BroadcastOptions opts, JsonArray data, long emittedAt) {
    }

    public LocalAdapter(Members members, RealtimeOptions options) {
        this.members = members;
        this.options = options;
    }

    /** Completes once the adapter can reach the other instances (at once for this one). */
    public Future<Void> ready() {
        return Future.succeededFuture();
    }

    public synchronized void addAll(String sid, Collection<String> newRooms) {
        Set<String> joined = socketRooms.computeIfAbsent(sid, s -> new LinkedHashSet<>());
        for (String room : newRooms) {
            if (joined.add(room)) {
                rooms.computeIfAbsent(room, r -> new HashSet<>()).add(sid);
            }
        }
    }

    public synchronized void del(String sid, String room) {
        Set<String> joined = socketRooms.get(sid);
        if (joined != null && joined.remove(room)) {
            leaveRoom(sid, room);
        }
    }

    /** Takes the socket out of every room; rooms left empty are freed. */
    public synchronized void delAll(String sid) {
        Set<String> joined = socketRooms.remove(sid);
        if (joined != null) {
            for (String room : joined) {
                leaveRoom(sid, room);
            }
        }
    }

    private void leaveRoom(String sid, String room) {
        Set<String> members = rooms.get(room);
        if (members != null && members.remove(sid) && members.isEmpty()) {
            rooms.remove(room);
        }
    }

    public synchronized Set<String> roomsOf(String sid) {
        Set<String> joined = socketRooms.get(sid);
        return joined == null ? Set.of() : Set.copyOf(joined);
    }

    public synchronized boolean hasRoom(String room) {
        return rooms.containsKey(room);
    }

    /** Every room with at least one socket on this instance. */
    public synchronized Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /** Sends an event (data = [name, args...]) to the sockets {@code opts} selects, here and elsewhere. */
    public void broadcast(JsonArray data, BroadcastOptions opts) {
        deliverLocally(data, opts);
    }

    /**
     * Sends an event to the sockets of this instance that {@code opts} selects; with recovery on, it is kept
     * under a new offset, which goes last in its arguments.
     */
    protected void deliverLocally(JsonArray data, BroadcastOptions opts) {
        JsonArray payload = data;
        if (options.recovery() && !opts.isVolatile()) {
            synchronized (this) {
                // As Node does: the offset goes last in the event's arguments; the client remembers the last one.
                String offset = Long.toString(nextOffset++, 36);
                payload = withOffset(data, offset);
                log.add(new LoggedPacket(offset, opts, payload, System.currentTimeMillis()));
                pruneLog();
            }
        }
        deliver(payload, opts);
    }

    protected static JsonArray withOffset(JsonArray data, String offset) {
        return new JsonArray(new ArrayList<>(data.getList())).add(offset);
    }

    /** Encodes the event once and sends it to each local socket {@code opts} selects. */
    protected void deliver(JsonArray payload, BroadcastOptions opts) {
        List<String> targets;
        synchronized (this) {
            targets = targets(opts);
        }
        if (targets.isEmpty()) {
            return;
        }
        members.deliver(targets, PacketCodec.encode(SocketPacket.of(SocketPacket.EVENT, members.namespace(), payload)));
    }

    /** The local sockets {@code opts} selects; call with the lock held. */
    protected List<String> targets(BroadcastOptions opts) {
        List<String> targets = new ArrayList<>();
        if (opts.rooms().isEmpty()) {
            for (String sid : socketRooms.keySet()) {
                if (!excluded(sid, opts)) {
                    targets.add(sid);
                }
            }
            return targets;
        }
        Set<String> seen = opts.rooms().size() == 1 ? null : new HashSet<>();
        for (String room : opts.rooms()) {
            Set<String> inRoom = rooms.get(room);
            if (inRoom == null) {
                continue;
            }
            for (String sid : inRoom) {
                if ((seen == null || seen.add(sid)) && !excluded(sid, opts)) {
                    targets.add(sid);
                }
            }
        }
        return targets;
    }

    private boolean excluded(String sid, BroadcastOptions opts) {
        if (opts.except().isEmpty()) {
            return false;
        }
        Set<String> joined = socketRooms.get(sid);
        for (String room : opts.except()) {
            if (joined != null && joined.contains(room)) {
                return true;
            }
        }
        return false;
    }

    /** The sockets {@code opts} selects, described; on every instance unless local. */
    public Future<ClusterReply<JsonObject>> fetchSockets(BroadcastOptions opts) {
        return Future.succeededFuture(ClusterReply.local(localSockets(opts)));
    }

    protected List<JsonObject> localSockets(BroadcastOptions opts) {
        List<String> targets;
        synchronized (this) {
            targets = targets(opts);
        }
        List<JsonObject> described = new ArrayList<>();
        for (String sid : targets) {
            JsonObject socket = members.describe(sid);
            if (socket != null) {
                described.add(socket);
            }
        }
        return described;
    }

    /** Disconnects the sockets {@code opts} selects, on every instance unless local. */
    public void disconnectSockets(BroadcastOptions opts, boolean close) {
        List<String> targets;
        synchronized (this) {
            targets = targets(opts);
        }
        targets.forEach(sid -> members.disconnect(sid, close));
    }

    /** Makes the sockets {@code opts} selects join {@code newRooms}, on every instance unless local. */
    public void addSockets(BroadcastOptions opts, Collection<String> newRooms) {
        synchronized (this) {
            for (String sid : targets(opts)) {
                addAll(sid, newRooms);
            }
        }
    }

    /** Makes the sockets {@code opts} selects leave {@code oldRooms}, on every instance unless local. */
    public void delSockets(BroadcastOptions opts, Collection<String> oldRooms) {
        synchronized (this) {
            for (String sid : targets(opts)) {
                oldRooms.forEach(room -> del(sid, room));
            }
        }
    }

    /** Sends an event to the other instances' server-side handlers (none here). */
    public void serverSideEmit(JsonArray args) {
    }

    /** Sends an event to the other instances' handlers and gathers one answer from each (none here). */
    public Future<ClusterReply<Object>> serverSideEmitWithAck(JsonArray args) {
        return Future.succeededFuture(ClusterReply.local(List.of()));
    }

    public synchronized void persistSession(String sid, String pid, Set<String> joined, JsonObject data) {
        long now = System.currentTimeMillis();
        sessions.values().removeIf(s -> s.disconnectedAt() + options.recoveryWindow().toMillis() < now);
        sessions.put(pid, new PersistedSession(sid, pid, Set.copyOf(joined), data, now));
    }

    /**
     * The session {@code pid} with what it missed after {@code offset}, or null when it expired, is unknown, or
     * the offset is no longer kept (the client then starts a new session).
     */
    public Future<RestoredSession> restoreSession(String pid, String offset) {
        synchronized (this) {
            PersistedSession session = sessions.remove(pid);
            long now = System.currentTimeMillis();
            if (session == null || session.disconnectedAt() + options.recoveryWindow().toMillis() < now) {
                return Future.succeededFuture();
            }
            pruneLog();
            List<JsonArray> missed = new ArrayList<>();
            boolean found = false;
            for (LoggedPacket packet : log) {
                if (found) {
                    if (reaches(session.rooms(), packet.opts())) {
                        missed.add(packet.data());
                    }
                } else if (packet.offset().equals(offset)) {
                    found = true;
                }
            }
            if (!found) {
                return Future.succeededFuture();
            }
            return Future.succeededFuture(new RestoredSession(session.sid(), session.pid(), session.rooms(),
                    session.data(), missed));
        }
    }

    protected static boolean reaches(Set<String> joined, BroadcastOptions opts) {
        boolean inRooms = opts.rooms().isEmpty() || opts.rooms().stream().anyMatch(joined::contains);
        return inRooms && opts.except().stream().noneMatch(joined::contains);
    }

    private void pruneLog() {
        long threshold = System.currentTimeMillis() - options.recoveryWindow().toMillis();
        Iterator<LoggedPacket> oldest = log.iterator();
        while (oldest.hasNext()) {
            LoggedPacket packet = oldest.next();
            if (packet.emittedAt() >= threshold && log.size() <= MAX_LOGGED_PACKETS) {
                break;
            }
            oldest.remove();
        }
    }

    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
