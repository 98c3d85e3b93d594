package dev.flotilla.realtime.adapter;

import java.util.Set;

/**
 * Which sockets a broadcast reaches: those in any of {@code rooms} (every socket when empty) and in none of
 * {@code except}; {@code local} keeps it on this instance, {@code volatile} lets it be lost (and not stored
 * for connection state recovery).
 */
public record BroadcastOptions(Set<String> rooms, Set<String> except, boolean local, boolean isVolatile) {

    public static final BroadcastOptions ALL = new BroadcastOptions(Set.of(), Set.of(), false, false);

    public BroadcastOptions {
        rooms = Set.copyOf(rooms);
        except = Set.copyOf(except);
    }
}
