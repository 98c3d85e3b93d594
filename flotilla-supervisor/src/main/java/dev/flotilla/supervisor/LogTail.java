package dev.flotilla.supervisor;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code tail -n N [-f]} over log files: the last lines of each, then, while following, whatever is added
 * (from the start again after a rotation or a flush). Used by the control socket while a fleet runs and by
 * the CLI once it is down.
 */
public final class LogTail {

    private LogTail() {
    }

    /** Gives {@code out} the text: whole lines first, then new chunks every 200 ms while {@code follow}. */
    public static void write(List<Path> files, int lines, boolean follow, Consumer<String> out)
            throws IOException, InterruptedException {
        long[] offsets = new long[files.size()];
        for (int i = 0; i < files.size(); i++) {
            Deque<String> last = new ArrayDeque<>();
            for (String line : Files.readAllLines(files.get(i), StandardCharsets.UTF_8)) {
                last.addLast(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            }
            for (String line : last) {
                out.accept(line + "\n");
            }
            offsets[i] = Files.size(files.get(i));
        }
        while (follow) {
            Thread.sleep(200);
            for (int i = 0; i < files.size(); i++) {
                long size = Files.size(files.get(i));
                if (size < offsets[i]) {
                    offsets[i] = 0; // rotated or flushed
                }
                if (size > offsets[i]) {
                    try (RandomAccessFile file = new RandomAccessFile(files.get(i).toFile(), "r")) {
                        file.seek(offsets[i]);
                        byte[] fresh = new byte[(int) Math.min(size - offsets[i], 1 << 20)];
                        file.readFully(fresh);
                        out.accept(new String(fresh, StandardCharsets.UTF_8));
                        offsets[i] += fresh.length;
                    }
                }
            }
        }
    }
}
