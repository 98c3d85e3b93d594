package dev.flotilla.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells of an alert firing or resolving: a log line, and a POST to the webhook in the shape Alertmanager
 * sends its receivers ({@code status}, and {@code alerts} with {@code labels}, {@code annotations},
 * {@code startsAt}/{@code endsAt}), so a receiver written for Alertmanager takes it as it is. A webhook that
 * fails is logged and not retried: the next change is sent anyway, and the dashboard keeps the history.
 */
final class AlertNotifier {

    private static final Logger LOG = LoggerFactory.getLogger("flotilla.alerts");

    private final String webhook;
    private final HttpClient http;

    AlertNotifier(Vertx vertx, String webhook) {
        this.webhook = webhook;
        this.http = webhook == null ? null : vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(2_000).setTracingPolicy(TracingPolicy.IGNORE));
    }

    void send(JsonObject event) {
        boolean firing = event.getString("status").equals("firing");
        if (firing) {
            LOG.warn("alert {} FIRING ({}): {}{}", event.getString("alert"), event.getString("severity"),
                    event.getString("summary"), event.getString("value") == null ? "" : " [" + event.getString("value")
                            + "]");
        } else {
            LOG.info("alert {} resolved", event.getString("alert"));
        }
        if (http == null) {
            return;
        }
        JsonObject alert = new JsonObject().put("status", event.getString("status"))
                .put("labels", new JsonObject().put("alertname", event.getString("alert"))
                        .put("severity", event.getString("severity")))
                .put("annotations", new JsonObject().put("summary", event.getString("summary"))
                        .put("value", event.getString("value")))
                .put(firing ? "startsAt" : "endsAt", event.getString("at"));
        Buffer body = new JsonObject().put("version", "4").put("status", event.getString("status"))
                .put("receiver", "flotilla").put("alerts", new JsonArray().add(alert)).toBuffer();
        http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(webhook).setIdleTimeout(5_000)
                        .putHeader("Content-Type", "application/json"))
                .compose(request -> request.send(body))
                .onSuccess(response -> {
                    if (response.statusCode() / 100 != 2) {
                        LOG.warn("alert webhook {} answered {}", webhook, response.statusCode());
                    }
                })
                .onFailure(e -> LOG.warn("alert webhook {} failed: {}", webhook, e.getMessage()));
    }
}
