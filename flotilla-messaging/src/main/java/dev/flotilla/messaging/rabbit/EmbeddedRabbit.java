package dev.flotilla.messaging.rabbit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to run a RabbitMQ node of one's own from the {@code rabbitmq-server} on PATH: for a fleet's
 * {@code amqp: embedded}, and for tests that kill a broker. The node has its own name, ports and data
 * directory, so it runs beside a broker the machine already has, and it enables no plugins (no management UI),
 * which keeps its start near 7 s on 2 cores. A TERM stops it cleanly (its start script traps it).
 *
 * @param command     what to run
 * @param environment the {@code RABBITMQ_*} settings that make the node its own
 * @param port        where it takes AMQP connections, on 127.0.0.1
 * @param uri         the URI to connect to it as guest
 */
public record EmbeddedRabbit(List<String> command, Map<String, String> environment, int port, String uri) {

    /**
     * The start script of the {@code rabbitmq-server} on PATH, or null when none is installed. Debian's
     * {@code /usr/sbin/rabbitmq-server} is a wrapper that switches to the {@code rabbitmq} user when run as
     * root (the node could then not write a data directory of ours): its sibling script is run instead.
     */
    public static Path executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "rabbitmq-server");
            if (!Files.isExecutable(candidate)) {
                continue;
            }
            try {
                Path real = candidate.toRealPath();
                if (real.getFileName().toString().equals("rabbitmq-script-wrapper")) {
                    Path sibling = real.resolveSibling("rabbitmq-server");
                    return Files.isExecutable(sibling) ? sibling : null;
                }
                return real;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * A node that keeps its data in {@code dataDirectory} (created if missing; the same directory on a
     * restart, even on other ports, keeps durable queues and their messages) and listens on {@code port},
     * with Erlang distribution on {@code distributionPort}.
     */
    public static EmbeddedRabbit at(Path executable, Path dataDirectory, int port, int distributionPort)
            throws IOException {
        Path dir = dataDirectory.toAbsolutePath();
        Files.createDirectories(dir);
        Path plugins = Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        Path config = Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
                "listeners.tcp.default = 127.0.0.1:" + port,
                // guest may connect over loopback only, which is all this node listens on
                "loopback_users.guest = true",
                // a development machine's disk is often fuller than the default alarm allows for
                "disk_free_limit.absolute = 50MB",
                ""));
        Map<String, String> env = Map.of(
                // Named after its data directory: the same directory is the same node (RabbitMQ keeps a node's
                // data under its name), so queues and messages outlive a restart on other ports.
                "RABBITMQ_NODENAME", "flotilla-" + Integer.toHexString(dir.toString().hashCode()) + "@localhost",
                "RABBITMQ_NODE_PORT", Integer.toString(port),
                "RABBITMQ_DIST_PORT", Integer.toString(distributionPort),
                "RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString(),
                "RABBITMQ_LOG_BASE", dir.resolve("log").toString(),
                "RABBITMQ_LOGS", "-",
                "RABBITMQ_ENABLED_PLUGINS_FILE", plugins.toString(),
                "RABBITMQ_CONFIG_FILE", config.toString());
        return new EmbeddedRabbit(List.of(executable.toString()), env, port,
                "amqp://guest:guest@127.0.0.1:" + port);
    }
}
