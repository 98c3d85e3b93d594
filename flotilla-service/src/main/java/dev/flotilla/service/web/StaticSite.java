package dev.flotilla.service.web;

import dev.flotilla.service.FlotillaService;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * A service that only serves a folder: what a {@code serve:} app of {@code flotilla.yaml} runs, N instances
 * of it with no code, as {@code pm2 serve} does. Configured by the environment: {@code FLOTILLA_SERVE} (the
 * folder), {@code FLOTILLA_SPA} ({@code true} for a single-page app), {@code FLOTILLA_SERVICE} (the name it
 * registers under), and the SDK's usual {@code PORT}, {@code FLOTILLA_REGISTRY}, ...
 */
public final class StaticSite {

    private StaticSite() {
    }

    public static void main(String[] args) {
        String folder = System.getenv().getOrDefault("FLOTILLA_SERVE", "");
        boolean spa = "true".equalsIgnoreCase(System.getenv("FLOTILLA_SPA"));
        StaticFiles files;
        try {
            if (folder.isBlank()) {
                throw new IllegalArgumentException("FLOTILLA_SERVE is not set (expected the folder to serve)");
            }
            files = StaticFiles.of("/", Path.of(folder)).withSpa(spa);
        } catch (IllegalArgumentException e) {
            LoggerFactory.getLogger(StaticSite.class).error("static site: {}", e.getMessage());
            System.exit(2);
            return;
        }
        FlotillaService.named(System.getenv().getOrDefault("FLOTILLA_SERVICE", "static"), "1.0.0")
                .staticFiles(files).run();
    }
}
