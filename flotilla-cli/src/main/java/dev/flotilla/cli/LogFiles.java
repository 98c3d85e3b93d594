package dev.flotilla.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** {@code flotilla logs} when no fleet is up: the last lines of the log files it left, followed if asked. */
final class LogFiles {

    private LogFiles() {
    }

    static int print(Path dir, String app, int lines, boolean follow, PrintWriter out, PrintWriter err) {
        List<Path> files = new ArrayList<>();
        if (app != null) {
            files.add(dir.resolve(app + ".log"));
        } else if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, "*.log")) {
                logs.forEach(files::add);
            } catch (IOException e) {
                err.println("flotilla: cannot read " + dir + ": " + e.getMessage());
                return 1;
            }
        }
        files.removeIf(file -> !Files.exists(file));
        if (files.isEmpty()) {
            err.println("flotilla: no fleet is running and there are no logs" + (app == null ? "" : " of " + app)
                    + " in " + dir);
            return 1;
        }
        try {
            long[] offsets = new long[files.size()];
            for (int i = 0; i < files.size(); i++) {
                Deque<String> last = new ArrayDeque<>();
                for (String line : Files.readAllLines(files.get(i), StandardCharsets.UTF_8)) {
                    last.addLast(line);
                    if (last.size() > lines) {
                        last.removeFirst();
                    }
                }
                last.forEach(out::println);
                offsets[i] = Files.size(files.get(i));
            }
            out.flush();
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
                            out.print(new String(fresh, StandardCharsets.UTF_8));
                            out.flush();
                            offsets[i] += fresh.length;
                        }
                    }
                }
            }
            return 0;
        } catch (IOException e) {
            err.println("flotilla: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
