package dev.flotilla.dashboard;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * {@code tail -n N -f} of one app's log for a dashboard viewer: the last lines, then every whole line added,
 * read every 500 ms on a worker thread (from the start again after a rotation). At most 1 MB is read a turn.
 */
final class LogFollower {

    private static final int MAX_READ = 1 << 20;

    private final Vertx vertx;
    private final Path file;
    private final Consumer<String> out;
    private final long timer;
    private long offset = -1;
    private String partial = "";
    private volatile boolean stopped;

    LogFollower(Vertx vertx, Path file, int lastLines, Consumer<String> out) {
        this.vertx = vertx;
        this.file = file;
        this.out = out;
        vertx.executeBlocking(() -> lastLines(lastLines), true).onSuccess(lines -> lines.forEach(out));
        this.timer = vertx.setPeriodic(500, id -> vertx.executeBlocking(this::fresh, true)
                .onSuccess(lines -> lines.forEach(out)));
    }

    private synchronized Deque<String> lastLines(int count) throws IOException {
        Deque<String> last = new ArrayDeque<>();
        if (!Files.exists(file)) {
            offset = 0;
            return last;
        }
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, size - MAX_READ);
            raf.seek(from);
            byte[] bytes = new byte[(int) (size - from)];
            raf.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
            for (int i = from > 0 ? 1 : 0; i < lines.length; i++) { // a cut first line is dropped
                last.addLast(lines[i]);
                if (last.size() > count) {
                    last.removeFirst();
                }
            }
        }
        offset = size;
        return last;
    }

    private synchronized Deque<String> fresh() throws IOException {
        Deque<String> lines = new ArrayDeque<>();
        if (stopped || offset < 0 || !Files.exists(file)) {
            return lines;
        }
        long size = Files.size(file);
        if (size < offset) {
            offset = 0; // rotated or flushed
            partial = "";
        }
        if (size == offset) {
            return lines;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(offset);
            byte[] bytes = new byte[(int) Math.min(size - offset, MAX_READ)];
            raf.readFully(bytes);
            offset += bytes.length;
            String text = partial + new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            partial = end < 0 ? text : text.substring(end + 1);
            if (end >= 0) {
                for (String line : text.substring(0, end).split("\n")) {
                    lines.addLast(line);
                }
            }
        }
        return lines;
    }

    void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
    }
}
