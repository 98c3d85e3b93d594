package dev.flotilla.realtime.protocol;

/**
 * One Socket.IO v5 packet (socketio/socket.io-protocol): its type, namespace, acknowledgement id and data.
 * Binary values (Vert.x {@code Buffer}s) stay inside {@code data}; the codec turns them into attachments and
 * back.
 *
 * @param type one of the constants below
 * @param nsp  the namespace, {@code "/"} by default
 * @param id   the acknowledgement id, or -1 when none is asked for
 * @param data a {@code JsonArray} for events and acks, a {@code JsonObject} for connect packets, or null
 */
public record SocketPacket(int type, String nsp, long id, Object data) {

    public static final int CONNECT = 0;
    public static final int DISCONNECT = 1;
    public static final int EVENT = 2;
    public static final int ACK = 3;
    public static final int CONNECT_ERROR = 4;
    public static final int BINARY_EVENT = 5;
    public static final int BINARY_ACK = 6;

    public static SocketPacket of(int type, String nsp, Object data) {
        return new SocketPacket(type, nsp, -1, data);
    }

    public boolean isEvent() {
        return type == EVENT || type == BINARY_EVENT;
    }

    public boolean isAck() {
        return type == ACK || type == BINARY_ACK;
    }
}
