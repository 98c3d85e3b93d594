package dev.flotilla.supervisor;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code tail -n N [-f]} over one log file: its last lines, then the whole lines added since (from the start
 * again after a rotation or a flush). At most 1 MB is read a call. Used by the control socket while a fleet
 * runs, by the CLI once it is down ({@link #write}), and by the dashboard's live log.
 */
public final class LogTail {

    private static final int MAX_READ = 1 << 20;

    private final Path file;
    /** Where the next read starts; -1 until {@link #last} has run. */
    private long offset = -1;
    /** The start of a line whose end has not been written yet. */
    private String partial = "";

    public LogTail(Path file) {
        this.file = file;
    }

    /** The last {@code count} lines; {@link #fresh} then gives what is added after them. */
    public synchronized List<String> last(int count) throws IOException {
        Deque<String> last = new ArrayDeque<>();
        offset = Files.exists(file) ? Files.size(file) : 0;
        long from = Math.max(0, offset - MAX_READ);
        String[] lines = read(from, offset).split("\n");
        for (int i = from > 0 ? 1 : 0; i < lines.length; i++) { // a line cut by the 1 MB limit is left out
            if (!lines[i].isEmpty() || i < lines.length - 1) {
                last.addLast(lines[i]);
            }
            if (last.size() > count) {
                last.removeFirst();
            }
        }
        return new ArrayList<>(last);
    }

    /** The whole lines added since the last call; none before {@link #last} has run. */
    public synchronized List<String> fresh() throws IOException {
        List<String> lines = new ArrayList<>();
        if (offset < 0 || !Files.exists(file)) {
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
        long to = Math.min(size, offset + MAX_READ);
        String text = partial + read(offset, to);
        offset = to;
        int end = text.lastIndexOf('\n');
        partial = text.substring(end + 1);
        if (end >= 0) {
            lines.addAll(List.of(text.substring(0, end).split("\n", -1)));
        }
        return lines;
    }

    private String read(long from, long to) throws IOException {
        if (to <= from) {
            return "";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(from);
            byte[] bytes = new byte[(int) (to - from)];
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Gives {@code out} the last lines of each file, then, while {@code follow}, new lines every 200 ms. */
    public static void write(List<Path> files, int lines, boolean follow, Consumer<String> out)
            throws IOException, InterruptedException {
        List<LogTail> tails = new ArrayList<>();
        for (Path file : files) {
            LogTail tail = new LogTail(file);
            tails.add(tail);
            tail.last(lines).forEach(line -> out.accept(line + "\n"));
        }
        while (follow) {
            Thread.sleep(200);
            for (LogTail tail : tails) {
                tail.fresh().forEach(line -> out.accept(line + "\n"));
            }
        }
    }
}
