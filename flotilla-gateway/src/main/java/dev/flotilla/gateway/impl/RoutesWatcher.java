package dev.flotilla.gateway.impl;

import dev.flotilla.core.config.ConfigException;
import dev.flotilla.gateway.RoutesConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the routes file when its modification time or size changes. A file that does not parse or
 * check is refused with its message logged (and shown on {@code /admin/routes}); the routes in force
 * stay. Polling the file's attributes is cheap and, unlike inotify, sees editors that replace the file.
 */
public final class RoutesWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesWatcher.class);

    private final Vertx vertx;
    private final Path file;
    private final GatewayState state;
    private String seen;
    private long timer;

    public RoutesWatcher(Vertx vertx, Path file, GatewayState state) {
        this.vertx = vertx;
        this.file = file;
        this.state = state;
    }

    /** Loads the file now; a bad file fails start-up with the {@link ConfigException}. */
    public void loadNow() {
        seen = stamp();
        state.install(RoutesConfig.read(file));
    }

    public void watch(long everyMs) {
        timer = vertx.setPeriodic(everyMs, id -> vertx.executeBlocking(() -> {
            String now = stamp();
            if (now.equals(seen)) {
                return null;
            }
            seen = now;
            try {
                state.install(RoutesConfig.read(file));
                LOG.info("routes reloaded from {}", file);
            } catch (ConfigException | IllegalArgumentException e) {
                state.refused(e.getMessage());
                LOG.error("routes file refused, the previous routes stay: {}", e.getMessage());
            }
            return null;
        }, false));
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    private String stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.lastModifiedTime() + "/" + attributes.size();
        } catch (IOException e) {
            return "missing";
        }
    }
}
