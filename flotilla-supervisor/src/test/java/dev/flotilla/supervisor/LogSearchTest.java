package dev.flotilla.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSearchTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-02T18:10:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static String json(String app, String time, String level, String message, String trace) {
        return app + " | {\"@timestamp\":\"2026-12-02T" + time + "Z\",\"message\":\"" + message
                + "\",\"logger_name\":\"x.Y\",\"level\":\"" + level + "\""
                + (trace == null ? "" : ",\"trace_id\":\"" + trace + "\",\"span_id\":\"00f067aa0ba902b7\"") + "}";
    }

    private LogSearch.Filter filter(String trace, String grep, String since, String level) {
        return LogSearch.Filter.parse(trace, grep, since, level, NOW);
    }

    @Test
    void oneRequestsLinesFromEveryAppAreFoundInTimeOrderRotatedFilesIncluded() throws Exception {
        Files.writeString(dir.resolve("users.log.1"), json("users#0", "18:00:01.000", "INFO", "old user", TRACE)
                + "\n");
        Files.writeString(dir.resolve("users.log"), String.join("\n",
                json("users#0", "18:00:02.500", "INFO", "user 7 found", TRACE),
                json("users#1", "18:00:02.600", "INFO", "user 8 found", "ffffffffffffffffffffffffffffffff"),
                "users#0 | a plain line mentioning " + TRACE)
                + "\n");
        Files.writeString(dir.resolve("greeter.log"), String.join("\n",
                json("greeter#0", "18:00:02.000", "INFO", "greeting user 7", TRACE),
                json("greeter#0", "18:00:03.000", "WARN", "slow", null)) + "\n");

        List<String> found = LogSearch.search(LogSearch.files(dir, null), filter(TRACE, null, null, null), 100);
        assertThat(found).hasSize(4);
        assertThat(found.get(0)).contains("old user");
        assertThat(found.get(1)).startsWith("greeter#0").contains("greeting user 7");
        assertThat(found.get(2)).contains("user 7 found");
        assertThat(found.get(3)).contains("a plain line"); // after its file's last timed line

        assertThat(LogSearch.search(LogSearch.files(dir, "greeter"), filter(null, null, null, "warn"), 100))
                .singleElement().asString().contains("slow");
        assertThat(LogSearch.search(LogSearch.files(dir, null), filter(null, "user \\d found", null, null), 100))
                .hasSize(2);
        // 10 minutes back from 18:10 is 18:00:00; the plain line has no time, so it is left out.
        assertThat(LogSearch.search(LogSearch.files(dir, null), filter(null, null, "10m", null), 100)).hasSize(5);
        assertThat(LogSearch.search(LogSearch.files(dir, null), filter(null, null, "2026-12-02T18:00:02.550Z", null),
                100)).hasSize(2);
        assertThat(LogSearch.search(LogSearch.files(dir, null), filter(TRACE, null, null, null), 2)).hasSize(2)
                .last().asString().contains("a plain line");
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> filter("xyz", null, null, null)).hasMessageContaining("--trace: 'xyz'");
        assertThatThrownBy(() -> filter(null, "(", null, null)).hasMessageContaining("--grep: '('");
        assertThatThrownBy(() -> filter(null, null, "yesterday", null)).hasMessageContaining("--since: 'yesterday'");
        assertThatThrownBy(() -> filter(null, null, null, "LOUD")).hasMessageContaining("--level: 'LOUD'");
        assertThat(filter(null, null, null, null).isEmpty()).isTrue();
    }
}
