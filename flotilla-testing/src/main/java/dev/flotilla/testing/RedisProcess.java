package dev.flotilla.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code redis-server} of a test's own, on a free port, for tests that take Redis away: kill it, bring it
 * back on the same port, or freeze it. It comes from PATH; a machine without one fails the test (CI
 * installs {@code redis-server}), never skips it. Nothing is saved to disk, unless it is {@link #durable}.
 */
public final class RedisProcess implements AutoCloseable {

    private final int port;
    private final Path log;
    private final List<String> persistence;
    private Process process;

    private RedisProcess(int port, List<String> persistence) throws IOException {
        this.port = port;
        this.log = Files.createTempFile("redis-" + port, ".log");
        this.persistence = persistence;
    }

    public static RedisProcess start() throws IOException, InterruptedException {
        RedisProcess redis = new RedisProcess(Ports.free(), List.of("--save", "", "--appendonly", "no"));
        redis.restart();
        return redis;
    }

    /**
     * A Redis that keeps what it acknowledged across a {@code kill -9}: every write is in its append-only
     * file, fsynced before the reply ({@code appendfsync always}), in {@code directory}.
     */
    public static RedisProcess durable(Path directory) throws IOException, InterruptedException {
        RedisProcess redis = new RedisProcess(Ports.free(), List.of("--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--dir", directory.toAbsolutePath().toString()));
        redis.restart();
        return redis;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts Redis (again) on its port, empty unless durable, and waits until it answers PING. */
    public void restart() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1"));
        command.addAll(persistence);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Eventually.await("redis-server on port " + port + " answers (log " + log + ")", Duration.ofSeconds(10),
                this::answers);
    }

    /** {@code kill -9}: connections drop, and whatever Redis held is gone (unless it is durable). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGSTOP: connections stay open and nothing answers. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    private boolean answers() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[7];
            return socket.getInputStream().read(reply) > 0 && new String(reply, StandardCharsets.US_ASCII)
                    .startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            thaw();
            kill();
        }
        Files.deleteIfExists(log);
    }
}
