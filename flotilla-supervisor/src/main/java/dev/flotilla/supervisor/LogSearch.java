package dev.flotilla.supervisor;

import dev.flotilla.core.config.Durations;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code flotilla logs --trace ID --grep RE --since WHEN --level LEVEL}: the lines of a fleet's log files
 * (every app's, or one app's, rotated files included) that pass every filter given, in time order across the
 * apps, so that one request's lines from every process read as they happened. Lines are matched as the
 * supervisor wrote them ({@code app#slot | ...}); a JSON line (what Flotilla's services write) is read by field
 * ({@code @timestamp}, {@code level}, {@code trace_id}), any other line by its text, and a line whose time or
 * level is unknown does not pass a {@code --since} or {@code --level} filter.
 */
public final class LogSearch {

    /** The filters; null fields do not filter. */
    public record Filter(String traceId, Pattern grep, Instant since, String level) {

        private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
        private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");

        /** Reads the options as typed, with an error that names the one that is wrong. */
        public static Filter parse(String traceId, String grep, String since, String level, Clock clock) {
            if (traceId != null && !TRACE_ID.matcher(traceId).matches()) {
                throw new IllegalArgumentException("--trace: '" + traceId + "' (expected a trace id: 32 lower-case"
                        + " hex digits, as in traceparent or the dashboard)");
            }
            Pattern pattern = null;
            if (grep != null) {
                try {
                    pattern = Pattern.compile(grep);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("--grep: '" + grep + "' is not a regular expression: "
                            + e.getDescription());
                }
            }
            Instant from = null;
            if (since != null) {
                try {
                    from = Instant.parse(since);
                } catch (DateTimeParseException notAnInstant) {
                    try {
                        from = clock.instant().minus(Durations.parse(since));
                    } catch (RuntimeException notADuration) {
                        throw new IllegalArgumentException("--since: '" + since + "' (expected a duration back from"
                                + " now, e.g. 10m, or a time, e.g. 2026-12-02T18:00:00Z)");
                    }
                }
            }
            String minimum = level == null ? null : level.toUpperCase(Locale.ROOT);
            if (minimum != null && !LEVELS.contains(minimum)) {
                throw new IllegalArgumentException("--level: '" + level + "' (expected one of " + LEVELS + ")");
            }
            return new Filter(traceId, pattern, from, minimum);
        }

        public boolean isEmpty() {
            return traceId == null && grep == null && since == null && level == null;
        }

        boolean matches(Line line) {
            if (traceId != null && !line.text.contains(traceId)) {
                return false;
            }
            if (grep != null && !grep.matcher(line.text).find()) {
                return false;
            }
            if (since != null && (line.time == null || line.time.isBefore(since))) {
                return false;
            }
            return level == null || line.level != null && LEVELS.indexOf(line.level) >= LEVELS.indexOf(level);
        }
    }

    /** One line with what could be read from it. */
    private record Line(String text, Instant time, String level, int file, int index) {
    }

    private static final Pattern TEXT_LEVEL = Pattern.compile("^\\S+ \\| \\S+ (TRACE|DEBUG|INFO|WARN|ERROR)\\b");

    private LogSearch() {
    }

    /** The log files of {@code app} (null: every app's) in {@code dir}, oldest rotation first. */
    public static List<Path> files(Path dir, String app) throws IOException {
        List<Path> current = new ArrayList<>();
        if (app != null) {
            current.add(dir.resolve(app + ".log"));
        } else if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, "*.log")) {
                logs.forEach(current::add);
            }
        }
        current.sort(Comparator.naturalOrder());
        List<Path> files = new ArrayList<>();
        for (Path log : current) {
            for (int i = 3; i >= 1; i--) {
                Path rotated = log.resolveSibling(log.getFileName() + "." + i);
                if (Files.exists(rotated)) {
                    files.add(rotated);
                }
            }
            if (Files.exists(log)) {
                files.add(log);
            }
        }
        return files;
    }

    /** The last {@code limit} lines of {@code files} that pass {@code filter}, in time order. */
    public static List<String> search(List<Path> files, Filter filter, int limit) throws IOException {
        List<Line> found = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            Instant lastTime = null;
            List<String> lines = Files.readAllLines(files.get(f), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Line line = read(lines.get(i), f, i);
                lastTime = line.time == null ? lastTime : line.time;
                if (filter.matches(line)) {
                    // A line without a time of its own sorts after the last timed line of its file.
                    found.add(line.time == null ? new Line(line.text, lastTime, line.level, f, i) : line);
                }
            }
        }
        found.sort(Comparator.comparing((Line l) -> l.time == null ? Instant.MIN : l.time)
                .thenComparingInt(Line::file).thenComparingInt(Line::index));
        List<String> result = new ArrayList<>();
        for (int i = Math.max(0, found.size() - limit); i < found.size(); i++) {
            result.add(found.get(i).text);
        }
        return result;
    }

    private static Line read(String text, int file, int index) {
        int bar = text.indexOf(" | ");
        String body = bar < 0 ? text : text.substring(bar + 3);
        if (body.startsWith("{")) {
            try {
                JsonObject json = new JsonObject(body);
                Instant time = null;
                String stamp = json.getString("@timestamp");
                if (stamp != null) {
                    time = Instant.parse(stamp);
                }
                return new Line(text, time, json.getString("level"), file, index);
            } catch (RuntimeException notJson) {
                // read as text below
            }
        }
        Matcher level = TEXT_LEVEL.matcher(text);
        return new Line(text, null, level.find() ? level.group(1) : null, file, index);
    }
}
