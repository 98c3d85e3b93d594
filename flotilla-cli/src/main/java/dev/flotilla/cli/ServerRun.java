package dev.flotilla.cli;

import dev.flotilla.core.lifecycle.Shutdown;
import io.vertx.core.Future;
import dev.flotilla.core.trace.TraceSettings;
import dev.flotilla.core.trace.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/** Runs one server until SIGTERM or Ctrl-C, then closes it and exits 0 ({@code flotilla registry}, {@code gateway}). */
final class ServerRun {

    private ServerRun() {
    }

    /** A started server, seen from the command: where it listens and how to close it. */
    record Started(String url, Supplier<Future<Void>> close) {
    }

    static int untilSignalled(CommandSpec spec, String name, String portOptions,
            Function<Vertx, Future<Started>> start) throws InterruptedException {
        return untilSignalled(spec, name, portOptions, Tracing.create(TraceSettings.off(), name, null, null), start);
    }

    /** As above, on a Vert.x that traces as {@code tracing} says; its queued spans are sent before exiting. */
    static int untilSignalled(CommandSpec spec, String name, String portOptions, Tracing tracing,
            Function<Vertx, Future<Started>> start) throws InterruptedException {
        try (tracing) {
            return run(spec, name, portOptions, tracing.vertx(new VertxOptions().setPreferNativeTransport(true)),
                    start);
        }
    }

    private static int run(CommandSpec spec, String name, String portOptions, Vertx vertx,
            Function<Vertx, Future<Started>> start) throws InterruptedException {
        Started server;
        try {
            server = start.apply(vertx).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            spec.commandLine().getErr().println("flotilla " + name + ": cannot start: "
                    + StartFailures.describe(e, portOptions));
            closeQuietly(vertx);
            return 1;
        }
        Shutdown shutdown = Shutdown.onSignals();
        spec.commandLine().getOut().println(name + " listening on " + server.url());
        spec.commandLine().getOut().flush();
        shutdown.await();
        try {
            server.close().get().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            spec.commandLine().getErr().println("flotilla " + name + ": did not close cleanly: " + e.getMessage());
        } finally {
            closeQuietly(vertx);
        }
        return 0;
    }

    private static void closeQuietly(Vertx vertx) {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // exiting anyway
        }
    }
}
