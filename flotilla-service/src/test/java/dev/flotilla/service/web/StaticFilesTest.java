package dev.flotilla.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.RunningService;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder served by a service, checked the way browsers and caches use it. */
class StaticFilesTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @TempDir
    Path root;
    private Path site;
    private RunningService service;
    private final String script = "console.log('flotilla');\n".repeat(200);

    @BeforeEach
    void start() throws Exception {
        site = Files.createDirectories(root.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<!doctype html><title>app</title>");
        Files.writeString(site.resolve("app.js"), script);
        Files.writeString(site.resolve(".env"), "SECRET=1");
        Files.writeString(root.resolve("outside.txt"), "not for the web");
        service = FlotillaService.named("site", "1.0.0").port(0).eventLoops(1).drainGrace(Duration.ZERO)
                .routes(router -> router.get("/api/hello").handler(ctx -> ctx.json(new JsonObject().put("hi", 1))))
                .staticFiles(StaticFiles.of("/", site).withSpa(true))
                .start().await(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        service.close().await(10, TimeUnit.SECONDS);
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void filesCarryValidatorsAndAnswerConditionalRequestsWith304() throws Exception {
        HttpResponse<byte[]> js = get("/app.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(new String(js.body(), StandardCharsets.UTF_8)).isEqualTo(script);
        assertThat(js.headers().firstValue("Content-Type").orElseThrow()).contains("javascript");
        assertThat(js.headers().firstValue("Cache-Control")).contains("no-cache");
        String etag = js.headers().firstValue("ETag").orElseThrow();
        String lastModified = js.headers().firstValue("Last-Modified").orElseThrow();
        assertThat(get("/app.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(get("/app.js", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);

        Files.writeString(site.resolve("app.js"), script + "// edited\n");
        Files.setLastModifiedTime(site.resolve("app.js"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Thread.sleep(1_200); // the handler keeps file properties for up to a second
        HttpResponse<byte[]> edited = get("/app.js", "If-None-Match", etag);
        assertThat(edited.statusCode()).isEqualTo(200);
        assertThat(edited.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
    }

    @Test
    void rangesAndCompressionAsTheClientAsks() throws Exception {
        HttpResponse<byte[]> gzip = get("/app.js", "Accept-Encoding", "gzip");
        assertThat(gzip.headers().firstValue("Content-Encoding")).contains("gzip");
        assertThat(gzip.body().length).isLessThan(script.length() / 4);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(script);
        }
        HttpResponse<byte[]> brotli = get("/app.js", "Accept-Encoding", "br");
        assertThat(brotli.headers().firstValue("Content-Encoding")).contains("br");
        assertThat(brotli.body().length).isLessThan(script.length() / 4);
        HttpResponse<byte[]> range = get("/app.js", "Range", "bytes=0-9", "Accept-Encoding", "gzip");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).contains("bytes 0-9/" + script.length());
        assertThat(new String(range.body(), StandardCharsets.UTF_8)).isEqualTo(script.substring(0, 10));

        assertThat(get("/app.js").headers().firstValue("Content-Encoding")).isEmpty();
    }

    @Test
    void nothingOutsideTheFolderOrHiddenIsServed() throws Exception {
        for (String path : new String[] {"/../outside.txt", "/%2e%2e/outside.txt", "/..%2foutside.txt",
            "/.env", "/%2eenv"}) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).doesNotContain("not for the web").doesNotContain("SECRET");
            assertThat(answer).as(path).matches("(?s)HTTP/1.1 (400|404) .*");
        }
    }

    @Test
    void routesWinAndUnknownPagesFallBackToTheApp() throws Exception {
        assertThat(new String(get("/api/hello").body(), StandardCharsets.UTF_8)).isEqualTo("{\"hi\":1}");
        HttpResponse<byte[]> page = get("/orders/42", "Accept", "text/html,application/xhtml+xml");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("<title>app</title>");
        HttpResponse<byte[]> api = get("/api/missing", "Accept", "application/json");
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(new String(api.body(), StandardCharsets.UTF_8)).getString("error"))
                .isEqualTo("not_found");
        assertThat(new String(get("/").body(), StandardCharsets.UTF_8)).contains("<title>app</title>");
    }

    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", service.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
