package dev.flotilla.supervisor.impl;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;

/**
 * One app's log: every line of its instances, prefixed {@code app#slot | }, appended to
 * {@code logs/APP.log} (rotated at {@value #MAX_BYTES} bytes, {@value #KEPT} old files kept) and
 * copied to the supervisor's merged stream.
 */
public final class LogSink {

    static final long MAX_BYTES = 10L << 20;
    static final int KEPT = 3;

    private final Path file;
    private final PrintStream merged;
    private final Predicate<String> shownMerged;
    private OutputStream out;
    private long size;

    public LogSink(Path file, PrintStream merged) throws IOException {
        this(file, merged, line -> true);
    }

    /** {@code shownMerged} picks the lines that also go to the merged output; the file gets every line. */
    public LogSink(Path file, PrintStream merged, Predicate<String> shownMerged) throws IOException {
        this.file = file;
        this.merged = merged;
        this.shownMerged = shownMerged;
        Files.createDirectories(file.getParent());
        open();
    }

    public Path file() {
        return file;
    }

    public synchronized void line(String source, String line) {
        String text = source + " | " + line + "\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            if (size + bytes.length > MAX_BYTES) {
                rotate();
            }
            out.write(bytes);
            out.flush();
            size += bytes.length;
        } catch (IOException e) {
            merged.println("flotilla: cannot write " + file + ": " + e.getMessage());
        }
        if (merged != null && (line.startsWith("flotilla: ") || shownMerged.test(line))) {
            merged.print(source + " | " + readable(line) + "\n");
            merged.flush();
        }
    }

    /**
     * A JSON log line (what Flotilla's services write under a supervisor) as a person reads it on the
     * terminal: {@code 18:42:17.189 INFO  FlotillaService - message}; any other line as it is.
     */
    static String readable(String line) {
        if (!line.startsWith("{\"@timestamp\"")) {
            return line;
        }
        try {
            JsonObject json = new JsonObject(line);
            String time = json.getString("@timestamp", "");
            int t = time.indexOf('T');
            String clock = t < 0 || time.length() < t + 13 ? time : time.substring(t + 1, t + 13);
            String logger = json.getString("logger_name", "");
            String text = clock + " " + String.format("%-5s", json.getString("level", "")) + " "
                    + logger.substring(logger.lastIndexOf('.') + 1) + " - " + json.getString("message", "");
            String trace = json.getString("trace_id");
            String stack = json.getString("stack_trace");
            return text + (trace == null ? "" : " trace=" + trace) + (stack == null ? "" : "\n" + stack.strip());
        } catch (RuntimeException e) {
            return line;
        }
    }

    private void open() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        for (int i = KEPT - 1; i >= 1; i--) {
            Path older = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(older)) {
                Files.move(older, file.resolveSibling(file.getFileName() + "." + (i + 1)),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    /** Empties the log and removes its rotated files (PM2's {@code flush}). */
    public synchronized void flush() throws IOException {
        out.close();
        for (int i = 1; i <= KEPT; i++) {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + "." + i));
        }
        Files.write(file, new byte[0]);
        open();
    }

    public synchronized void close() throws IOException {
        out.close();
    }
}
