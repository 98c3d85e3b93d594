package dev.flotilla.gateway;

import dev.flotilla.core.config.YamlConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's routes file:
 * <pre>
 * routes:
 *   - path: /api/users/**
 *     service: users
 *     version: ^1
 *     strip-prefix: true
 * </pre>
 * See {@link RouteSpec} for every key.
 */
public record RoutesConfig(List<RouteSpec> routes) {

    public RoutesConfig {
        routes = routes == null ? List.of() : List.copyOf(routes);
        Set<String> ids = new HashSet<>();
        for (RouteSpec route : routes) {
            if (!ids.add(route.id())) {
                throw new IllegalArgumentException("routes: two routes have the id '" + route.id()
                        + "' (give one of them an id)");
            }
        }
    }

    /** Reads and checks a routes file; a {@code ConfigException} names the file, line and key. */
    public static RoutesConfig read(Path file) {
        return YamlConfig.read(file, RoutesConfig.class);
    }

    public static RoutesConfig parse(String source, String yaml) {
        return YamlConfig.read(source, yaml, RoutesConfig.class);
    }
}
