package dev.flotilla.core.registry.impl;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads a Server-Sent Events stream (the WHATWG format: {@code id:}, {@code event:}, {@code data:} lines,
 * a blank line ends an event, {@code :} starts a comment).
 *
 * <p>Hand-written because neither Vert.x core nor a small, kept library offers an SSE client; the format
 * is a dozen lines of rules. Bytes are split at {@code \n} before decoding, so a UTF-8 character split
 * across two network chunks is never broken.
 */
final class SseParser {

    /** Receives each complete event; {@code id} is null when the event had none. */
    interface Listener {
        void onEvent(String event, String id, String data);
    }

    private final Listener listener;
    private final int maxEventBytes;
    private Buffer pending = Buffer.buffer();
    private String event;
    private String id;
    private StringBuilder data;
    private int eventBytes;

    SseParser(Listener listener, int maxEventBytes) {
        this.listener = listener;
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Feeds the next chunk of the stream.
     *
     * @throws IllegalStateException when one event grows past the limit
     */
    void feed(Buffer chunk) {
        pending.appendBuffer(chunk);
        int start = 0;
        int length = pending.length();
        for (int i = 0; i < length; i++) {
            if (pending.getByte(i) == '\n') {
                int end = i > start && pending.getByte(i - 1) == '\r' ? i - 1 : i;
                line(pending.getString(start, end, StandardCharsets.UTF_8.name()));
                start = i + 1;
            }
        }
        pending = start == 0 ? pending : pending.getBuffer(start, length);
        if (pending.length() + eventBytes > maxEventBytes) {
            throw new IllegalStateException("watch event larger than " + maxEventBytes + " bytes");
        }
    }

    private void line(String line) {
        if (line.isEmpty()) {
            if (data != null) {
                listener.onEvent(event == null ? "message" : event, id, data.toString());
            }
            event = null;
            data = null;
            eventBytes = 0;
            return;
        }
        if (line.charAt(0) == ':') {
            listener.onEvent(null, null, null);  // a comment: only proof that the stream is alive
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        eventBytes += line.length();
        switch (field) {
            case "event" -> event = value;
            case "id" -> id = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> { } // "retry" and unknown fields are ignored, as the format asks
        }
    }
}
