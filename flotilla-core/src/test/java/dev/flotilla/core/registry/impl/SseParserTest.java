package dev.flotilla.core.registry.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private final List<String> seen = new ArrayList<>();
    private final SseParser parser = new SseParser((event, id, data) ->
            seen.add(event == null ? "(comment)" : event + "|" + id + "|" + data), 1024);

    @Test
    void readsEventsSplitAnywhereIncludingInsideAUtf8Character() {
        byte[] stream = "retry: 1000\n\nid: 7\nevent: registered\ndata: {\"n\":\"h\u00e9\u00e9\"}\n\n: keepalive\n\n"
                .getBytes(StandardCharsets.UTF_8);
        for (byte b : stream) {
            parser.feed(Buffer.buffer(new byte[] {b}));
        }
        assertThat(seen).containsExactly("registered|7|{\"n\":\"h\u00e9\u00e9\"}", "(comment)");
    }

    @Test
    void joinsMultipleDataLinesAndAcceptsCrLf() {
        parser.feed(Buffer.buffer("data: a\r\ndata: b\r\n\r\n"));
        assertThat(seen).containsExactly("message|null|a\nb");
    }

    @Test
    void refusesAnEventLargerThanTheLimit() {
        assertThatThrownBy(() -> parser.feed(Buffer.buffer("data: " + "x".repeat(2000))))
                .hasMessageContaining("larger than 1024 bytes");
    }
}
