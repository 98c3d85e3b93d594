package dev.flotilla.realtime.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes Socket.IO v5 packets and decodes a client's, written from the protocol document: a type digit,
 * then for binary packets the attachment count and {@code -}, then the namespace and {@code ,} when it is not
 * {@code /}, then the acknowledgement id, then the JSON data; a binary value is replaced by
 * {@code {"_placeholder":true,"num":N}} and sent as attachment N.
 *
 * <p>Hand-written: the codec is a few dozen lines of string handling, and no Java library implements it on
 * Vert.x's JSON types.
 */
public final class PacketCodec {

    /** Event names a client may not send: the server's own events. */
    private static final Set<String> RESERVED = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");
    private static final int MAX_ATTACHMENTS = 64;

    private PacketCodec() {
    }

    public static EncodedPacket encode(SocketPacket packet) {
        List<Buffer> attachments = new ArrayList<>(0);
        Object data = packet.data() == null ? null : withPlaceholders(packet.data(), attachments);
        int type = packet.type();
        if (!attachments.isEmpty()) {
            type = type == SocketPacket.ACK ? SocketPacket.BINARY_ACK
                    : type == SocketPacket.EVENT ? SocketPacket.BINARY_EVENT : type;
        }
        StringBuilder text = new StringBuilder().append(type);
        if (type == SocketPacket.BINARY_EVENT || type == SocketPacket.BINARY_ACK) {
            text.append(attachments.size()).append('-');
        }
        if (!"/".equals(packet.nsp())) {
            text.append(packet.nsp()).append(',');
        }
        if (packet.id() >= 0) {
            text.append(packet.id());
        }
        if (data != null) {
            text.append(Json.encode(data));
        }
        return new EncodedPacket(text.toString(), attachments);
    }

    /**
     * A copy of {@code value} with each binary value replaced by a placeholder and added to attachments. It
     * walks the raw lists and maps: Vert.x's getters would turn a Buffer into a base64 string.
     */
    private static Object withPlaceholders(Object value, List<Buffer> attachments) {
        if (value instanceof Buffer buffer) {
            attachments.add(buffer);
            return new JsonObject().put("_placeholder", true).put("num", attachments.size() - 1);
        }
        if (value instanceof byte[] bytes) {
            return withPlaceholders(Buffer.buffer(bytes), attachments);
        }
        if (value instanceof JsonArray array) {
            return withPlaceholders(array.getList(), attachments);
        }
        if (value instanceof JsonObject object) {
            return withPlaceholders(object.getMap(), attachments);
        }
        if (value instanceof List<?> list) {
            JsonArray copy = new JsonArray(new ArrayList<>(list.size()));
            for (Object item : list) {
                copy.add(withPlaceholders(item, attachments));
            }
            return copy;
        }
        if (value instanceof Map<?, ?> map) {
            JsonObject copy = new JsonObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                copy.put(String.valueOf(entry.getKey()), withPlaceholders(entry.getValue(), attachments));
            }
            return copy;
        }
        return value;
    }

    /** The text part of a client's packet; {@link Decoder} adds the attachments. */
    static Partial parse(String text) {
        int length = text.length();
        if (length == 0) {
            throw new DecodeException("empty packet");
        }
        int type = text.charAt(0) - '0';
        if (type < 0 || type > 6) {
            throw new DecodeException("unknown packet type '" + text.charAt(0) + "'");
        }
        int i = 1;
        int attachments = 0;
        if (type == SocketPacket.BINARY_EVENT || type == SocketPacket.BINARY_ACK) {
            int dash = text.indexOf('-', i);
            if (dash < 0 || dash == i || dash - i > 2) {
                throw new DecodeException("a binary packet needs its attachment count and '-'");
            }
            attachments = digits(text, i, dash, "attachment count");
            if (attachments > MAX_ATTACHMENTS) {
                throw new DecodeException(attachments + " attachments (the limit is " + MAX_ATTACHMENTS + ")");
            }
            i = dash + 1;
        }
        String nsp = "/";
        if (i < length && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? length : comma;
            nsp = text.substring(i, end);
            i = comma < 0 ? length : comma + 1;
        }
        long id = -1;
        int idStart = i;
        while (i < length && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i > idStart) {
            if (i - idStart > 15) {
                throw new DecodeException("acknowledgement id too long");
            }
            id = Long.parseLong(text.substring(idStart, i));
        }
        Object data = i < length ? Json.decodeValue(text.substring(i)) : null;
        check(type, data, id);
        return new Partial(new SocketPacket(type, nsp, id, data), attachments);
    }

    private static int digits(String text, int from, int to, String what) {
        for (int i = from; i < to; i++) {
            if (!Character.isDigit(text.charAt(i))) {
                throw new DecodeException("bad " + what + ": '" + text.substring(from, to) + "'");
            }
        }
        return Integer.parseInt(text.substring(from, to));
    }

    private static void check(int type, Object data, long id) {
        boolean valid = switch (type) {
            case SocketPacket.CONNECT -> data == null || data instanceof JsonObject;
            case SocketPacket.DISCONNECT -> data == null;
            case SocketPacket.CONNECT_ERROR -> false; // only servers send it
            case SocketPacket.EVENT, SocketPacket.BINARY_EVENT -> data instanceof JsonArray array && !array.isEmpty()
                    && (array.getValue(0) instanceof Number
                    || array.getValue(0) instanceof String name && !RESERVED.contains(name));
            default -> data instanceof JsonArray && id >= 0; // acks
        };
        if (!valid) {
            throw new DecodeException("invalid payload for a packet of type " + type);
        }
    }

    /** A packet whose text has arrived, waiting for {@code attachments} binary messages. */
    record Partial(SocketPacket packet, int attachments) {
    }

    /** Puts attachment buffers back where their placeholders are, in the raw lists and maps. */
    @SuppressWarnings("unchecked")
    static Object reconstruct(Object value, List<Buffer> attachments) {
        if (value instanceof JsonArray array) {
            reconstruct(array.getList(), attachments);
            return array;
        }
        if (value instanceof JsonObject object) {
            Object replaced = reconstruct(object.getMap(), attachments);
            return replaced instanceof Buffer ? replaced : object;
        }
        if (value instanceof List<?> list) {
            List<Object> items = (List<Object>) list;
            for (int i = 0; i < items.size(); i++) {
                items.set(i, reconstruct(items.get(i), attachments));
            }
            return list;
        }
        if (value instanceof Map<?, ?> map) {
            if (Boolean.TRUE.equals(map.get("_placeholder")) && map.get("num") instanceof Number n) {
                int num = n.intValue();
                if (num < 0 || num >= attachments.size()) {
                    throw new DecodeException("placeholder " + num + " has no attachment");
                }
                return attachments.get(num);
            }
            for (Map.Entry<String, Object> entry : ((Map<String, Object>) map).entrySet()) {
                entry.setValue(reconstruct(entry.getValue(), attachments));
            }
            return map;
        }
        return value;
    }

    /** Decodes one client's packets in order, holding a binary packet until its attachments arrive. */
    public static final class Decoder {

        private Partial pending;
        private final List<Buffer> received = new ArrayList<>();

        /** A whole packet, or null while attachments are awaited; throws DecodeException on bad input. */
        public SocketPacket text(String text) {
            if (pending != null) {
                throw new DecodeException("a text packet arrived while attachments were awaited");
            }
            Partial partial = parse(text);
            if (partial.attachments() == 0) {
                return partial.packet();
            }
            pending = partial;
            return null;
        }

        public SocketPacket binary(Buffer data) {
            if (pending == null) {
                throw new DecodeException("an attachment arrived with no binary packet before it");
            }
            received.add(data);
            if (received.size() < pending.attachments()) {
                return null;
            }
            SocketPacket packet = pending.packet();
            Object data1 = reconstruct(packet.data(), List.copyOf(received));
            pending = null;
            received.clear();
            return new SocketPacket(packet.type(), packet.nsp(), packet.id(), data1);
        }
    }
}
