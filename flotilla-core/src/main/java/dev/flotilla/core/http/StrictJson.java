package dev.flotilla.core.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON request body strictly (RFC 8259 as written, no extensions): well-formed UTF-8 only (no
 * overlong forms, no encoded surrogates), no byte order mark, no comments, no duplicate keys, nothing after
 * the value, and no lone surrogate escapes in strings. Lenient parsers turn each of these into something
 * two readers of the same bytes can disagree on. Errors name the problem and its position in words, not
 * the parser's internals.
 */
public final class StrictJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    /** The body as a JSON object; an {@link HttpFailure} 400 naming what is wrong otherwise. */
    public static JsonObject object(Buffer body) {
        if (body == null || body.length() == 0) {
            throw HttpFailure.badRequest("the request has no body (expected: a JSON object)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body.getBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw HttpFailure.badRequest("the body is not valid UTF-8");
        }
        if (text.startsWith("\uFEFF")) {
            throw HttpFailure.badRequest("the body starts with a byte order mark (expected: plain UTF-8 JSON)");
        }
        Object value;
        try {
            value = MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw HttpFailure.badRequest(describe(e));
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw HttpFailure.badRequest("the body is not a JSON object");
        }
        checkSurrogates(map);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) map;
        return new JsonObject(fields);
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String original = String.valueOf(e.getOriginalMessage());
        if (original.startsWith("Duplicate field")) {
            int quote = original.indexOf('\'');
            return "the body has a duplicate key" + (quote >= 0 ? " " + original.substring(quote) : "") + where;
        }
        if (original.contains("end-of-input")) {
            return "the body is not valid JSON: it ends too early" + where;
        }
        return "the body is not valid JSON" + where;
    }

    private static void checkSurrogates(Object value) {
        if (value instanceof String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (paired) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw HttpFailure.badRequest("the body has a lone surrogate escape (\\u"
                            + Integer.toHexString(c) + ") in a string");
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                checkSurrogates(k);
                checkSurrogates(v);
            });
        } else if (value instanceof List<?> list) {
            list.forEach(StrictJson::checkSurrogates);
        }
    }
}
