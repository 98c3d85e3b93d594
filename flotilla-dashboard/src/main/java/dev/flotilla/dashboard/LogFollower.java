package dev.flotilla.dashboard;

import dev.flotilla.supervisor.LogTail;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One app's live log for a dashboard viewer: the supervisor's {@link LogTail} (the last lines, then every whole
 * line added), read every 500 ms on a worker thread, in order.
 */
final class LogFollower {

    private final Vertx vertx;
    private final long timer;

    LogFollower(Vertx vertx, Path file, int lastLines, Consumer<String> out) {
        this.vertx = vertx;
        LogTail tail = new LogTail(file);
        vertx.executeBlocking(() -> tail.last(lastLines), true).onSuccess(lines -> lines.forEach(out));
        this.timer = vertx.setPeriodic(500, id -> vertx.executeBlocking(tail::fresh, true)
                .onSuccess(lines -> lines.forEach(out)));
    }

    void stop() {
        vertx.cancelTimer(timer);
    }
}
