package dev.flotilla.core.json;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The values sessions and shared data accept: what JSON can say. Checked where a value is set, so that a
 * value the store could not give back unchanged is refused there, with the attribute's name, not later.
 */
public final class JsonValues {

    /** Deeper values are refused: nobody means to store them, and decoding them costs stack. */
    private static final int MAX_DEPTH = 32;

    private JsonValues() {
    }

    /**
     * The JSON text of {@code value}, which may be a String, Boolean, a finite Number, a JsonObject or
     * JsonArray, or a Map with String keys or a List of these. Null is not a value: remove the name instead.
     *
     * @throws IllegalArgumentException naming {@code what} and the part that is not JSON
     */
    public static String encode(String what, Object value) {
        check(what, value, 0);
        return Json.encode(value);
    }

    /** The value of a JSON text written by {@link #encode}: String, Boolean, Number, JsonObject or JsonArray. */
    public static Object decode(String json) {
        return Json.decodeValue(json);
    }

    /** Checks a name of an attribute or key: 1-128 characters, no control characters, not starting with @. */
    public static void checkName(String kind, String name) {
        if (name == null || name.isEmpty() || name.length() > 128 || name.startsWith("@")
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(kind + " name: '" + name
                    + "' (expected 1-128 characters, no control characters, not starting with @)");
        }
    }

    private static void check(String what, Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(what + ": nested deeper than " + MAX_DEPTH + " levels");
        }
        if (value == null) {
            if (depth == 0) {
                throw new IllegalArgumentException(what + ": null is not a value (remove it instead)");
            }
        } else if (value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof BigDecimal) {
            return;
        } else if (value instanceof Double || value instanceof Float) {
            if (!Double.isFinite(((Number) value).doubleValue())) {
                throw new IllegalArgumentException(what + ": " + value + " is not a JSON number");
            }
        } else if (value instanceof JsonObject object) {
            check(what, object.getMap(), depth);
        } else if (value instanceof JsonArray array) {
            check(what, array.getList(), depth);
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String)) {
                    throw new IllegalArgumentException(what + ": a map key " + entry.getKey() + " is not a string");
                }
                check(what, entry.getValue(), depth + 1);
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                check(what, item, depth + 1);
            }
        } else {
            throw new IllegalArgumentException(what + ": a " + value.getClass().getName()
                    + " is not a JSON value (allowed: String, Boolean, Number, JsonObject, JsonArray, Map, List)");
        }
    }
}
