package dev.flotilla.cli;

import dev.flotilla.cli.fleet.Fleet;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment a running fleet hands its apps ({@code FLOTILLA_REDIS}, {@code FLOTILLA_AMQP}), so that
 * {@code flotilla dlq} and {@code flotilla saga} reach the fleet's own Redis and broker, embedded on ports
 * chosen at start, with no option. {@code flotilla up} writes it to {@code .flotilla/environment.json}.
 */
final class FleetEnvironment {

    private FleetEnvironment() {
    }

    /** The running fleet's environment, or an empty map when no fleet answers. */
    static Map<String, String> ofRunningFleet() {
        try {
            Path file = FleetCommands.resolve(null);
            Path saved = Fleet.environmentFile(file);
            if (!Files.exists(saved) || !FleetCommands.answers(file)) {
                return Map.of();
            }
            Map<String, String> env = new HashMap<>();
            new JsonObject(Files.readString(saved)).forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
            return env;
        } catch (IllegalArgumentException | IOException e) {
            return Map.of(); // no single fleet, or its file is unreadable: the defaults apply
        }
    }

    /** {@code given} when set, else the running fleet's {@code name}, else {@code fallback}. */
    static String choose(String given, String name, String fallback) {
        if (given != null && !given.isBlank()) {
            return given;
        }
        return ofRunningFleet().getOrDefault(name, fallback);
    }
}
