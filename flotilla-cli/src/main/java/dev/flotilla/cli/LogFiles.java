package dev.flotilla.cli;

import java.io.IOException;
import dev.flotilla.supervisor.LogTail;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            LogTail.write(files, lines, follow, text -> {
                out.print(text);
                out.flush();
            });
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
