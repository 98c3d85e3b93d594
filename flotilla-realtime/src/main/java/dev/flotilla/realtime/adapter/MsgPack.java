package dev.flotilla.realtime.adapter;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * MessagePack to and from Vert.x's JSON types, as {@code notepack.io} (what {@code @socket.io/redis-adapter}
 * uses) writes it: maps, arrays, strings, integers, float64, booleans, nil, and bin for binary values.
 * msgpack-core does the encoding; this class only walks the values.
 */
final class MsgPack {

    private MsgPack() {
    }

    static byte[] encode(Object value) {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            pack(packer, value);
            return packer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Object decode(byte[] bytes) {
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
            return unpack(unpacker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pack(MessagePacker packer, Object value) throws IOException {
        if (value == null) {
            packer.packNil();
        } else if (value instanceof String s) {
            packer.packString(s);
        } else if (value instanceof Boolean b) {
            packer.packBoolean(b);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15) {
                packer.packLong((long) d); // a JavaScript number that is an integer goes out as one
            } else {
                packer.packDouble(d);
            }
        } else if (value instanceof Number n) {
            packer.packLong(n.longValue());
        } else if (value instanceof Buffer buffer) {
            byte[] bytes = buffer.getBytes();
            packer.packBinaryHeader(bytes.length).writePayload(bytes);
        } else if (value instanceof byte[] bytes) {
            packer.packBinaryHeader(bytes.length).writePayload(bytes);
        } else if (value instanceof JsonArray array) {
            pack(packer, array.getList()); // the raw list: Vert.x's getters turn a Buffer into base64
        } else if (value instanceof JsonObject object) {
            pack(packer, object.getMap());
        } else if (value instanceof List<?> list) {
            packer.packArrayHeader(list.size());
            for (Object item : list) {
                pack(packer, item);
            }
        } else if (value instanceof Map<?, ?> map) {
            packer.packMapHeader(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                packer.packString(String.valueOf(entry.getKey()));
                pack(packer, entry.getValue());
            }
        } else {
            packer.packString(String.valueOf(value));
        }
    }

    private static Object unpack(MessageUnpacker unpacker) throws IOException {
        ValueType type = unpacker.getNextFormat().getValueType();
        switch (type) {
            case NIL -> {
                unpacker.unpackNil();
                return null;
            }
            case BOOLEAN -> {
                return unpacker.unpackBoolean();
            }
            case INTEGER -> {
                long l = unpacker.unpackLong();
                return l == (int) l ? (Object) (int) l : (Object) l;
            }
            case FLOAT -> {
                return unpacker.unpackDouble();
            }
            case STRING -> {
                return unpacker.unpackString();
            }
            case BINARY -> {
                return Buffer.buffer(unpacker.readPayload(unpacker.unpackBinaryHeader()));
            }
            case ARRAY -> {
                int size = unpacker.unpackArrayHeader();
                JsonArray array = new JsonArray();
                for (int i = 0; i < size; i++) {
                    array.add(unpack(unpacker));
                }
                return array;
            }
            case MAP -> {
                int size = unpacker.unpackMapHeader();
                JsonObject object = new JsonObject();
                for (int i = 0; i < size; i++) {
                    Object key = unpack(unpacker);
                    object.put(String.valueOf(key), unpack(unpacker));
                }
                return object;
            }
            default -> {
                // notepack writes undefined and dates as extension types: neither means anything here
                unpacker.skipValue();
                return null;
            }
        }
    }
}
