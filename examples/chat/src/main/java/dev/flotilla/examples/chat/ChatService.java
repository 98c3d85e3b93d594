package dev.flotilla.examples.chat;

import dev.flotilla.realtime.RealtimeOptions;
import dev.flotilla.realtime.RealtimeServer;
import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.web.StaticFiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed 004's chat: a page and a Socket.IO server in one service, run as several instances behind the
 * gateway, Redis relaying each message to every instance.
 * <ul>
 *   <li>A client emits {@code message} with {@code {"text": T}}; every client of the chat, on every instance,
 *       receives {@code message} with {@code {"text", "from": SOCKET_ID, "instance": ID}}, and the sender's
 *       acknowledgement says which instance took it. Bad input gets {@code {"error": ...}} in the ack.</li>
 *   <li>On connection a client receives {@code welcome} with its id and its instance.</li>
 *   <li>The page: {@code public/index.html} (folder {@code CHAT_PUBLIC}, default {@code examples/chat/public}).
 *       The browser client is served from {@code CHAT_CLIENT} (default: the npm package under
 *       {@code examples/chat/node_modules}, installed by {@code npm ci --prefix examples/chat}); without it the
 *       page loads the same version from the Socket.IO CDN.</li>
 * </ul>
 */
public final class ChatService {

    /** Longer messages are refused: a chat line, not a file. */
    static final int MAX_TEXT = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);

    private ChatService() {
    }

    public static void main(String[] args) {
        Path page = Path.of(System.getenv().getOrDefault("CHAT_PUBLIC", "examples/chat/public"));
        Path client = Path.of(System.getenv().getOrDefault("CHAT_CLIENT",
                "examples/chat/node_modules/socket.io-client/dist/socket.io.min.js"));
        RealtimeOptions options = RealtimeOptions.defaults();
        if (Files.isRegularFile(client)) {
            options.clientScript(client);
        } else {
            LOG.info("the page loads the Socket.IO client from cdn.socket.io: {} is missing (npm ci --prefix "
                    + "examples/chat serves it from here)", client.toAbsolutePath());
        }
        RealtimeServer io = RealtimeServer.create(options);
        FlotillaService app = FlotillaService.named("chat", "1.0.0");
        String instance = app.config().instanceId();
        io.onConnection(socket -> {
            socket.emit("welcome", new JsonObject().put("id", socket.id()).put("instance", instance)
                    .put("transport", socket.transport()));
            socket.on("message", (message, ack) -> {
                Object text = message.getValue(0) instanceof JsonObject body ? body.getValue("text") : null;
                if (!(text instanceof String line) || line.isBlank() || line.length() > MAX_TEXT) {
                    ack.send(new JsonObject().put("error", "expected {\"text\": a non-empty string of at most "
                            + MAX_TEXT + " characters}"));
                    return;
                }
                io.emit("message", new JsonObject().put("text", line).put("from", socket.id())
                        .put("instance", instance));
                ack.send(new JsonObject().put("ok", true).put("instance", instance));
            });
        });
        if (Files.isDirectory(page)) {
            app.staticFiles(StaticFiles.of("/", page));
        } else {
            LOG.info("no page: {} is not a folder (run from the repository, or set CHAT_PUBLIC)",
                    page.toAbsolutePath());
        }
        app.routes((router, service) -> io.mount(router, service)).run();
    }
}
