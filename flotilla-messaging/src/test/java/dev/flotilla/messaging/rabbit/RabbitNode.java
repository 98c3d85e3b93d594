package dev.flotilla.messaging.rabbit;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of a test's own ({@link EmbeddedRabbit}), which the test may kill with {@code -9} and start
 * again on the same data directory and port. Fails (never skips) when no {@code rabbitmq-server} is installed.
 */
public final class RabbitNode implements AutoCloseable {

    private final EmbeddedRabbit rabbit;
    private final File log;
    private Process process;

    private RabbitNode(EmbeddedRabbit rabbit, File log) {
        this.rabbit = rabbit;
        this.log = log;
    }

    public static RabbitNode start(Path dataDirectory, int port, int distributionPort) throws Exception {
        Path executable = EmbeddedRabbit.executable();
        if (executable == null) {
            throw new AssertionError("no rabbitmq-server on PATH: install Debian's rabbitmq-server (.ci/run does)");
        }
        RabbitNode node = new RabbitNode(EmbeddedRabbit.at(executable, dataDirectory, port, distributionPort),
                dataDirectory.resolve("node.log").toFile());
        node.start();
        return node;
    }

    public void start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(rabbit.command()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        builder.environment().putAll(rabbit.environment());
        process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", rabbit.port())) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new AssertionError("rabbitmq-server exited " + process.exitValue() + "; see " + log);
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("rabbitmq-server did not listen on " + rabbit.port() + " in 90 s; see " + log);
    }

    /** {@code kill -9} of the node and everything it started: nothing flushed, nothing said to clients. */
    public void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String uri() {
        return rabbit.uri();
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy(); // TERM: the start script stops the node cleanly
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
