package dev.flotilla.cli.fleet;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a {@code redis-server} for an embedded fleet: the one on PATH, else the Linux binary that the
 * {@code com.github.codemonstur:embedded-redis} artifact carries, copied out of the jar once.
 */
final class EmbeddedRedis {

    private static final String BUNDLED = "/redis-server-6.2.6-v5-linux-amd64";

    private EmbeddedRedis() {
    }

    /**
     * The embedded Redis's command line. {@code durable} when it carries the fleet's queues (no RabbitMQ):
     * then every write is in an append-only file fsynced before Redis answers, so a message whose publish
     * completed survives a crash of Redis, as it would RabbitMQ's. Otherwise it keeps nothing on disk.
     */
    static List<String> command(Path workDirectory, int port, boolean durable) throws IOException {
        List<String> command = new ArrayList<>(List.of(executable(workDirectory).toString(), "--port",
                Integer.toString(port), "--bind", "127.0.0.1", "--save", ""));
        if (durable) {
            Path data = Files.createDirectories(workDirectory.resolve("redis"));
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always", "--dir", data.toString()));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        return command;
    }

    /**
     * Whether a line of Redis's output is worth a terminal: its start-up banner, its notices and the
     * warnings about a development machine's settings (memory overcommit) are not; they stay in the log.
     */
    static boolean worthShowing(String line) {
        boolean warning = line.contains(" # ");
        return warning && !line.contains("oO0OoO0Oo") && !line.contains("Redis version=")
                && !line.contains("Configuration loaded") && !line.contains("overcommit")
                && !line.contains("Server initialized") && !line.contains("WARNING");
    }

    private static Path executable(Path workDirectory) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        if (!System.getProperty("os.name").toLowerCase().contains("linux")
                || !System.getProperty("os.arch").matches("amd64|x86_64")) {
            throw new IOException("no redis-server on PATH and no bundled one for this platform; install Redis "
                    + "or set redis: redis://HOST:PORT in flotilla.yaml");
        }
        Path target = workDirectory.resolve("bin").resolve("redis-server");
        if (!Files.isExecutable(target)) {
            Files.createDirectories(target.getParent());
            try (InputStream in = EmbeddedRedis.class.getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IOException("the bundled redis-server is missing from the jar");
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            target.toFile().setExecutable(true, true);
        }
        return target;
    }
}
