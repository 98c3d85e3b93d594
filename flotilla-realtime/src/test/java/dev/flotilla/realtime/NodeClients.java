package dev.flotilla.realtime;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Official {@code socket.io-client} sockets in a Node.js process (src/test/node/client-driver.js), driven
 * from a test: commands go in as JSON lines, what the sockets hear comes back as JSON lines. The npm
 * packages must be installed ({@code npm ci} in src/test/node; .ci/run does it): without them the test fails.
 */
final class NodeClients implements AutoCloseable {

    static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
    private final Process process;
    private final OutputStream in;
    private final List<JsonObject> reports = new CopyOnWriteArrayList<>();
    private final AtomicInteger seq = new AtomicInteger();

    private NodeClients(Process process) {
        this.process = process;
        this.in = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    reports.add(new JsonObject(line));
                }
            } catch (IOException | RuntimeException e) {
                // the process ended
            }
        }, "node-clients-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static NodeClients start() throws Exception {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/socket.io-client"))) {
            throw new IllegalStateException("socket.io-client is not installed: run 'npm ci' in " + NODE_DIR);
        }
        Process process = new ProcessBuilder("node", "client-driver.js").directory(NODE_DIR.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        NodeClients clients = new NodeClients(process);
        clients.await("the driver to start", r -> r.getString("type").equals("ready"));
        return clients;
    }

    synchronized void command(JsonObject command) {
        try {
            in.write((command.encode() + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the Node.js client driver is gone", e);
        }
    }

    /** Connects socket {@code name} and waits until it is connected. */
    JsonObject connect(String name, String url, JsonObject opts) {
        connectAsync(name, url, "", opts);
        return await(name + " connects", r -> is(r, "connect", name));
    }

    void connectAsync(String name, String url, String nsp, JsonObject opts) {
        command(new JsonObject().put("cmd", "connect").put("name", name).put("url", url).put("nsp", nsp)
                .put("opts", opts));
    }

    void listen(String name, String event) {
        command(new JsonObject().put("cmd", "listen").put("name", name).put("event", event));
    }

    void listen(String name, String event, JsonArray reply) {
        command(new JsonObject().put("cmd", "listen").put("name", name).put("event", event).put("reply", reply));
    }

    void emit(String name, String event, Object... args) {
        command(new JsonObject().put("cmd", "emit").put("name", name).put("event", event)
                .put("args", new JsonArray(List.of(args))));
    }

    /** Emits with an acknowledgement and waits for it: the ack report ({@code args} or {@code error}). */
    JsonObject emitWithAck(String name, Duration timeout, String event, Object... args) {
        int n = seq.incrementAndGet();
        command(new JsonObject().put("cmd", "emit").put("name", name).put("event", event).put("ack", true)
                .put("timeout", timeout.toMillis()).put("seq", n).put("args", new JsonArray(List.of(args))));
        return await(name + " gets ack " + n, r -> is(r, "ack", name) && r.getInteger("seq") == n);
    }

    void simple(String cmd, String name) {
        command(new JsonObject().put("cmd", cmd).put("name", name));
    }

    /** Events named {@code event} socket {@code name} has heard so far, in order. */
    List<JsonArray> heard(String name, String event) {
        List<JsonArray> heard = new ArrayList<>();
        for (JsonObject report : reports) {
            if (is(report, "event", name) && event.equals(report.getString("event"))) {
                heard.add(report.getJsonArray("args"));
            }
        }
        return heard;
    }

    List<JsonObject> reports() {
        return reports;
    }

    static boolean is(JsonObject report, String type, String name) {
        return type.equals(report.getString("type")) && name.equals(report.getString("name"));
    }

    /** The first report matching, waiting at most 10 s. */
    JsonObject await(String what, Predicate<JsonObject> matching) {
        return await(what, Duration.ofSeconds(10), matching);
    }

    JsonObject await(String what, Duration limit, Predicate<JsonObject> matching) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonObject report : reports) {
                if (report.getString("type").equals("driver_error")) {
                    throw new AssertionError("the client driver failed: " + report.encode());
                }
                if (matching.test(report)) {
                    return report;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the client driver exited waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        throw new AssertionError("timed out waiting for: " + what + "; reports: " + reports);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
    }
}
