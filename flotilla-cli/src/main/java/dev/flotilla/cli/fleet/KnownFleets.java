package dev.flotilla.cli.fleet;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The fleets running on this machine for this user, so that {@code ls}, {@code logs}, {@code reload} and
 * the rest work from any directory (PM2's one daemon per user). Each running fleet leaves a small file in
 * {@code ~/.flotilla/fleets/} (or {@code $FLOTILLA_HOME/fleets/}; the {@code flotilla.home} property wins)
 * naming its fleet file and pid, removed when it stops; {@code last} names the fleet file started last, for
 * {@code logs} once every fleet is down.
 */
public final class KnownFleets {

    private KnownFleets() {
    }

    public static Path home() {
        String configured = System.getProperty("flotilla.home", System.getenv("FLOTILLA_HOME"));
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".flotilla");
    }

    private static Path entry(Path fleetFile) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    fleetFile.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return home().resolve("fleets").resolve(HexFormat.of().formatHex(digest, 0, 8) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records a fleet as running (and as the last one started). Best effort: a failure only costs lookups. */
    static void running(Path fleetFile) {
        String json = new JsonObject().put("file", fleetFile.toAbsolutePath().normalize().toString())
                .put("pid", ProcessHandle.current().pid()).encode();
        try {
            Files.createDirectories(home().resolve("fleets"));
            Files.writeString(entry(fleetFile), json);
            Files.writeString(home().resolve("last"), fleetFile.toAbsolutePath().normalize().toString());
        } catch (IOException ignored) {
            // the fleet runs all the same; it is only not found from other directories
        }
    }

    static void stopped(Path fleetFile) {
        try {
            Files.deleteIfExists(entry(fleetFile));
        } catch (IOException ignored) {
            // a stale entry is ignored by running(): its pid is gone
        }
    }

    /** The fleet files of the fleets running now (entries whose process is gone are removed). */
    public static List<Path> running() {
        List<Path> files = new ArrayList<>();
        Path dir = home().resolve("fleets");
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
            for (Path entry : entries) {
                JsonObject json = new JsonObject(Files.readString(entry));
                boolean alive = ProcessHandle.of(json.getLong("pid")).map(ProcessHandle::isAlive).orElse(false);
                if (alive) {
                    files.add(Path.of(json.getString("file")));
                } else {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // unreadable entries are skipped
        }
        return files;
    }

    /** Where {@code flotilla save} writes the fleets to resurrect. */
    public static Path dump() {
        return home().resolve("dump.json");
    }

    /** The fleet file started last on this machine, or null. */
    public static Path last() {
        try {
            Path last = home().resolve("last");
            return Files.exists(last) ? Path.of(Files.readString(last).trim()) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
