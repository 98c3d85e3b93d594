package dev.flotilla.cli;

import dev.flotilla.cli.fleet.FleetFile;
import dev.flotilla.supervisor.InstanceInfo;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code flotilla monit} draws each second: every process with its CPU, memory and crashes, and the
 * requests per second the gateway sent it (from the gateway admin's per-instance counters).
 */
final class Monit {

    private final Path file;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Map<String, Long> lastRequests = new HashMap<>();
    private long lastAt;
    private Integer adminPort;

    Monit(Path file) {
        this.file = file;
        try {
            adminPort = FleetFile.read(file).gateway().adminPort();
        } catch (RuntimeException e) {
            adminPort = null; // no request rates without the gateway's admin port
        }
    }

    String render() {
        JsonObject ls;
        try {
            ls = UpCommand.request(file, new JsonObject().put("cmd", "ls"));
        } catch (IOException e) {
            return "the fleet did not answer: " + e.getMessage() + "\n";
        }
        Map<String, Double> rates = rates();
        StringBuilder out = new StringBuilder(String.format("%-12s %-10s %-8s %-9s %-6s %-8s %-8s %-8s%n", "app",
                "instance", "pid", "status", "cpu", "memory", "crashes", "req/s"));
        for (Object o : ls.getJsonArray("instances")) {
            InstanceInfo i = InstanceInfo.fromJson((JsonObject) o);
            Double rate = rates.get(i.id());
            out.append(String.format("%-12s %-10s %-8s %-9s %-6s %-8s %-8d %-8s%n", i.app(), i.id(),
                    i.pid() == 0 ? "-" : Long.toString(i.pid()), i.state(), String.format("%.0f%%", i.cpuPercent()),
                    (i.rssBytes() >> 20) + " MB", i.restarts(), rate == null ? "-" : String.format("%.0f", rate)));
        }
        return out.toString();
    }

    /** Requests per second by instance id since the last call; empty the first time or without a gateway. */
    private Map<String, Double> rates() {
        Map<String, Double> rates = new HashMap<>();
        if (adminPort == null) {
            return rates;
        }
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                    + "/admin/upstreams")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long now = System.nanoTime();
            double seconds = lastAt == 0 ? 0 : (now - lastAt) / 1e9;
            for (Object u : new JsonObject(body).getJsonArray("upstreams")) {
                for (Object o : ((JsonObject) u).getJsonArray("instances")) {
                    JsonObject instance = (JsonObject) o;
                    String id = instance.getString("id");
                    long requests = instance.getLong("requests");
                    Long before = lastRequests.put(id, requests);
                    if (before != null && seconds > 0) {
                        rates.merge(id, Math.max(0, requests - before) / seconds, Double::sum);
                    }
                }
            }
            lastAt = now;
        } catch (IOException | RuntimeException e) {
            return rates;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rates;
    }
}
