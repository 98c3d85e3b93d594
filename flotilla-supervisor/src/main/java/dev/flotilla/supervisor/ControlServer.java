package dev.flotilla.supervisor;

import dev.flotilla.core.config.YamlConfig;
import dev.flotilla.supervisor.impl.ProcStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local control channel of a running fleet ({@code flotilla ls}, {@code reload}, ...): a Unix domain
 * socket in a directory only its owner can enter, so other users of the machine cannot use it. One JSON
 * request line per connection, answered with one JSON line (or, for {@code logs -f}, a stream of lines).
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path socket;
    private final Supervisor supervisor;
    private final Runnable down;
    private final Function<String, AppSpec> specs;
    private final ServerSocketChannel server;

    /**
     * Binds {@code socket}; {@code down} is run (on its own thread) for the {@code down} command, and
     * {@code specs} gives the fleet file's app of a name for {@code start APP} (throwing when there is none).
     */
    public ControlServer(Path socket, Supervisor supervisor, Runnable down, Function<String, AppSpec> specs)
            throws IOException {
        this.socket = socket;
        this.supervisor = supervisor;
        this.down = down;
        this.specs = specs;
        Files.createDirectories(socket.getParent());
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(this::accept, "control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread handler = new Thread(() -> serve(client), "control-client");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("control socket: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; OutputStream out = Channels.newOutputStream(client)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                    StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            JsonObject request = new JsonObject(line);
            if (request.getString("cmd", "").equals("logs")) {
                logs(request, out);
                return;
            }
            JsonObject answer;
            try {
                answer = handle(request);
            } catch (RuntimeException | IOException e) {
                answer = new JsonObject().put("ok", false).put("error", e.getMessage());
            }
            out.write((answer.encode() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            LOG.debug("control client: {}", e.getMessage());
        }
    }

    private JsonObject handle(JsonObject request) throws InterruptedException, IOException {
        String app = request.getString("app");
        switch (request.getString("cmd", "")) {
            case "ls" -> {
                JsonArray list = new JsonArray();
                supervisor.list().forEach(info -> list.add(info.toJson()));
                JsonObject apps = supervisor.apps();
                long pid = ProcessHandle.current().pid();
                // The registry and the gateway of `flotilla up` run inside this process.
                JsonObject self = new JsonObject().put("pid", pid).put("rssBytes", ProcStats.rssBytes(pid))
                        .put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime());
                return new JsonObject().put("ok", true).put("instances", list).put("apps", apps).put("self", self);
            }
            case "describe" -> {
                return new JsonObject().put("ok", true).put("app", supervisor.describe(required(app)));
            }
            case "start" -> {
                AppSpec spec = request.containsKey("spec")
                        ? YamlConfig.read("the app to start", request.getString("spec"), AppSpec.class)
                        : specs.apply(required(app));
                supervisor.start(spec);
                return new JsonObject().put("ok", true).put("started", spec.name());
            }
            case "delete" -> supervisor.delete(required(app));
            case "flush" -> supervisor.flush(app);
            case "reload" -> supervisor.reload(required(app));
            case "restart" -> supervisor.restart(required(app));
            case "scale" -> supervisor.scale(required(app), request.getInteger("instances", -1));
            case "stop" -> {
                if (app == null) {
                    supervisor.stopAll();
                } else {
                    supervisor.stop(app);
                }
            }
            case "down" -> {
                Thread stopping = new Thread(down, "down");
                stopping.start();
            }
            default -> throw new IllegalArgumentException("unknown command '" + request.getString("cmd") + "'");
        }
        return new JsonObject().put("ok", true);
    }

    private static String required(String app) {
        if (app == null) {
            throw new IllegalArgumentException("which app? (give its name)");
        }
        return app;
    }

    /** The last {@code lines} lines of one app's log (or every app's), then new ones while {@code follow}. */
    private void logs(JsonObject request, OutputStream out) throws IOException, InterruptedException {
        String app = request.getString("app");
        int lines = request.getInteger("lines", 20);
        boolean follow = request.getBoolean("follow", false);
        List<String> names = app == null ? supervisor.appNames() : List.of(app);
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            files.add(supervisor.logFile(name));
        }
        LogTail.write(files, lines, follow, text -> {
            try {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // the client went away: stop following
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }

    /** Sends one request to the fleet whose control socket is {@code socket}; returns the answer's lines. */
    public static void request(Path socket, JsonObject request, Consumer<String> lines)
            throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(channel);
            out.write((request.encode() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.accept(line);
            }
        }
    }
}
