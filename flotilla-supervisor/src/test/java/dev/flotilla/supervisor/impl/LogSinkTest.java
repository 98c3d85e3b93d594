package dev.flotilla.supervisor.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSinkTest {

    @TempDir
    Path dir;

    @Test
    void theFileKeepsJsonLinesAsWrittenAndTheTerminalShowsThemPlain() throws Exception {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        LogSink sink = new LogSink(dir.resolve("users.log"), new PrintStream(terminal, true, StandardCharsets.UTF_8));
        String json = "{\"@timestamp\":\"2026-12-02T18:42:17.189Z\",\"message\":\"user 7 found\","
                + "\"logger_name\":\"dev.flotilla.examples.users.UsersService\",\"level\":\"INFO\","
                + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}";
        sink.line("users#0", json);
        sink.line("users#0", "{not json");
        sink.close();
        assertThat(Files.readAllLines(dir.resolve("users.log"))).containsExactly("users#0 | " + json,
                "users#0 | {not json");
        assertThat(terminal.toString(StandardCharsets.UTF_8)).isEqualTo(
                "users#0 | 18:42:17.189 INFO  UsersService - user 7 found trace=4bf92f3577b34da6a3ce929d0e0e4736\n"
                        + "users#0 | {not json\n");
    }
}
