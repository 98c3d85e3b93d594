package dev.flotilla.service.session;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One browser: keeps the cookies it is given (by hand, to see every Set-Cookie) and sends them back. */
final class Browser {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final Map<String, String> cookies = new ConcurrentHashMap<>();
    private final Map<String, String> extraHeaders = new ConcurrentHashMap<>();

    Browser header(String name, String value) {
        extraHeaders.put(name, value);
        return this;
    }

    String sid() {
        return cookies.get("flotilla.sid");
    }

    HttpResponse<String> get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    HttpResponse<String> post(String url, JsonObject body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body.encode())));
    }

    HttpResponse<String> put(String url, JsonObject body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(body.encode())));
    }

    JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        request.header("Content-Type", "application/json").timeout(Duration.ofSeconds(20));
        extraHeaders.forEach(request::header);
        if (!cookies.isEmpty()) {
            StringBuilder header = new StringBuilder();
            cookies.forEach((name, value) -> header.append(header.isEmpty() ? "" : "; ").append(name).append('=')
                    .append(value));
            request.header("Cookie", header.toString());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        remember(response.headers().allValues("Set-Cookie"));
        return response;
    }

    private void remember(List<String> setCookies) {
        for (String setCookie : setCookies) {
            String pair = setCookie.split(";", 2)[0];
            String name = pair.substring(0, pair.indexOf('='));
            String value = pair.substring(pair.indexOf('=') + 1);
            if (value.isEmpty() || setCookie.toLowerCase().contains("max-age=0")) {
                cookies.remove(name);
            } else {
                cookies.put(name, value);
            }
        }
    }
}
