package dev.flotilla.service.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A folder served over HTTP, as {@code express.static} or {@code pm2 serve} would: Vert.x's
 * {@link StaticHandler} (Last-Modified, conditional GETs, ranges, HEAD, content types, no path outside the
 * folder, no hidden files) plus what it lacks: an {@code ETag} (Vert.x sends none), a {@code Cache-Control}
 * that makes browsers revalidate rather than keep files as immutable, and a single-page-app fallback.
 * Compression (gzip, deflate, brotli when the client asks) is the HTTP server's, turned on with this.
 *
 * @param mountPath  where the folder appears ({@code /} or a prefix such as {@code /app})
 * @param folder     the folder
 * @param spa        answer {@code index.html} for GET requests of pages that are not files (client-side routes)
 * @param maxAge     how long browsers may use a file without asking again (default 0: always revalidate)
 */
public record StaticFiles(String mountPath, Path folder, boolean spa, Duration maxAge) {

    public StaticFiles {
        Objects.requireNonNull(mountPath, "mountPath");
        if (!mountPath.startsWith("/") || mountPath.contains("*")
                || mountPath.length() > 1 && mountPath.endsWith("/")) {
            throw new IllegalArgumentException("mount path: '" + mountPath + "' (expected / or /prefix)");
        }
        folder = Objects.requireNonNull(folder, "folder").toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("static folder: " + folder + " is not a directory");
        }
        maxAge = maxAge == null ? Duration.ZERO : maxAge;
    }

    public static StaticFiles of(String mountPath, Path folder) {
        return new StaticFiles(mountPath, folder, false, Duration.ZERO);
    }

    public StaticFiles withSpa(boolean fallbackToIndex) {
        return new StaticFiles(mountPath, folder, fallbackToIndex, maxAge);
    }

    /** Adds this folder's routes to {@code router}. */
    public void mount(Router router) {
        String pattern = mountPath.equals("/") ? "/*" : mountPath + "/*";
        StaticHandler files = StaticHandler.create(FileSystemAccess.ROOT, folder.toString())
                .setIncludeHidden(false)
                .setCachingEnabled(true)
                .setMaxAgeSeconds(maxAge.toSeconds())
                .setCacheEntryTimeout(1_000) // an edited file is seen within a second
                .setDefaultContentEncoding("UTF-8")
                .setIndexPage("index.html");
        router.route(HttpMethod.GET, pattern).handler(this::validators);
        router.route(HttpMethod.HEAD, pattern).handler(this::validators);
        router.route(pattern).handler(files);
        if (spa) {
            router.route(HttpMethod.GET, pattern).handler(this::fallback);
        }
    }

    /**
     * Sets ETag and Cache-Control before Vert.x's handler looks at them: it answers 304 to a matching
     * {@code If-None-Match} on its own, and keeps headers already set.
     */
    private void validators(RoutingContext ctx) {
        Path file = resolve(ctx);
        if (file == null) {
            ctx.next();
            return;
        }
        ctx.vertx().fileSystem().props(file.toString()).onComplete(ar -> {
            if (ar.succeeded() && ar.result().isRegularFile()) {
                ctx.response().putHeader(HttpHeaders.ETAG, "W/\"" + Long.toHexString(ar.result().size()) + "-"
                        + Long.toHexString(ar.result().lastModifiedTime()) + "\"");
                ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, maxAge.isZero() ? "no-cache"
                        : "public, max-age=" + maxAge.toSeconds());
                if (ctx.request().getHeader("Range") != null) {
                    // A range of a compressed body would not be a range of the file.
                    ctx.response().putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
                }
            }
            ctx.next();
        });
    }

    /** A page the folder does not have, asked for by a browser: the app's index.html handles the route. */
    private void fallback(RoutingContext ctx) {
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        Path index = folder.resolve("index.html");
        if (accept == null || !accept.contains("text/html") || !Files.isRegularFile(index)) {
            ctx.next();
            return;
        }
        ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/html;charset=UTF-8")
                .sendFile(index.toString()).onFailure(ctx::fail);
    }

    /** The file a request names, or null when it names nothing inside the folder. */
    private Path resolve(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        String relative = mountPath.equals("/") ? path : path.substring(Math.min(path.length(), mountPath.length()));
        if (relative.isEmpty() || relative.endsWith("/")) {
            relative += "index.html";
        }
        if (relative.indexOf('\0') >= 0 || relative.contains("\\")) {
            return null;
        }
        Path file = folder.resolve(relative.substring(relative.startsWith("/") ? 1 : 0)).normalize();
        return file.startsWith(folder) ? file : null;
    }
}
