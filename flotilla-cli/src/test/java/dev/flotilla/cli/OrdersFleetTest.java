package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.messaging.rabbit.EmbeddedRabbit;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The newcomer with {@code examples/orders}: {@code flotilla up} with {@code amqp: embedded} (a
 * RabbitMQ node of the fleet's own when {@code rabbitmq-server} is installed, as in CI; Redis Streams
 * otherwise), four services as child processes, the real gateway. One order completes, one is declined and
 * compensated, and both sagas can be read back through the gateway and with {@code flotilla saga}.
 */
class OrdersFleetTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, json == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject get(String url) throws Exception {
        HttpResponse<String> response = send("GET", url, null);
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    @Test
    void anOrderCompletesAndAnOrderOverThePaymentLimitIsCompensated() throws Exception {
        int gateway = Ports.free();
        int inventory = Ports.free();
        int payment = Ports.free();
        Path file = FleetFiles.write("""
                redis: embedded
                amqp: embedded
                registry: {port: %d}
                gateway:
                  port: %d
                  admin-port: %d
                  routes:
                    - {path: /api/orders/**, service: orders, rewrite: /orders}
                apps:
                  - {name: orders, main: dev.flotilla.examples.orders.OrdersService, port: %d, ready: registered}
                  - {name: inventory, main: dev.flotilla.examples.orders.InventoryService, port: %d, ready: registered}
                  - {name: payment, main: dev.flotilla.examples.orders.PaymentService, port: %d, ready: registered}
                  - {name: notification, main: dev.flotilla.examples.orders.NotificationService, port: %d,
                     ready: registered}
                """.formatted(Ports.free(), gateway, Ports.free(), Ports.free(), inventory, payment, Ports.free()));
        try (JavaProcess up = JavaProcess.start(Flotilla.class, "up", "-f", file.toString())) {
            up.awaitLine("flotilla: the fleet is up", Duration.ofSeconds(150));
            String dashboard = up.awaitLine("  dashboard  ", Duration.ofSeconds(5)).trim().split("\\s+")[1];
            String redis = up.awaitLine("  redis ", Duration.ofSeconds(5)).replaceFirst("^\\s*redis\\s+", "");
            String queues = up.awaitLine("  queues ", Duration.ofSeconds(5));
            assertThat(queues).contains(EmbeddedRabbit.executable() != null ? "RabbitMQ at amqp://127.0.0.1:"
                    : "Redis Streams at " + redis);
            String orders = "http://127.0.0.1:" + gateway + "/api/orders";

            HttpResponse<String> placed = send("POST", orders, "{\"item\": \"widget\", \"quantity\": 2, "
                    + "\"amount\": 1500}");
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
            String completes = new JsonObject(placed.body()).getString("id");
            HttpResponse<String> tooDear = send("POST", orders, "{\"item\": \"widget\", \"quantity\": 3, "
                    + "\"amount\": 250000}");
            assertThat(tooDear.statusCode()).isEqualTo(202);
            String cancelled = new JsonObject(tooDear.body()).getString("id");
            HttpResponse<String> bad = send("POST", orders, "{\"item\": \"widget\", \"quantity\": 2.5, "
                    + "\"amount\": 100}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("quantity: expected a whole number from 1 to 1000");

            Eventually.check("both orders end", Duration.ofSeconds(30), () ->
                    !get(orders + "/" + completes).getString("state").equals("PENDING")
                            && get(orders + "/" + cancelled).getString("state").equals("CANCELLED"));
            JsonObject done = get(orders + "/" + completes);
            assertThat(done.getString("state")).isEqualTo("COMPLETED");
            assertThat(done.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("status")))
                    .containsExactly("DONE", "DONE", "DONE");
            JsonObject undone = get(orders + "/" + cancelled);
            assertThat(undone.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("status")))
                    .containsExactly("COMPENSATED", "FAILED", "PENDING");
            assertThat(undone.getJsonArray("steps").getJsonObject(1).getString("reason"))
                    .isEqualTo("payment declined: 250000 cents is over the limit of 100000");
            assertThat(get(orders + "/" + cancelled + "/history").getJsonArray("history")).hasSize(4);
            assertThat(send("GET", orders + "/no-such-order", null).statusCode()).isEqualTo(404);

            // The declined order's stock came back; only the completed one was charged.
            assertThat(get("http://127.0.0.1:" + inventory + "/stock").getLong("widget")).isEqualTo(998);
            JsonObject payments = get("http://127.0.0.1:" + payment + "/payments");
            assertThat(payments.getLong("charged")).isEqualTo(1500);
            assertThat(payments.getLong("charged-count")).isEqualTo(1);

            // The saga is one trace: the order's request, then each step's command through a queue into its
            // participant (a CONSUMER span each), and the replies back into the orchestrator.
            Eventually.check("one trace from the gateway through the queues to every participant",
                    Duration.ofSeconds(15), () -> {
                        for (Object t : get(dashboard + "api/traces?limit=100").getJsonArray("traces")) {
                            JsonObject trace = (JsonObject) t;
                            if (trace.getJsonArray("services").getList().containsAll(List.of("gateway", "orders",
                                    "inventory", "payment", "notification"))) {
                                return get(dashboard + "api/traces/" + trace.getString("traceId"))
                                        .getJsonArray("spans").stream().map(s -> (JsonObject) s)
                                        .anyMatch(s -> s.getString("kind").equals("CONSUMER")
                                                && s.getString("service").equals("payment")
                                                && s.getJsonObject("attributes").getString("messaging.system")
                                                        .equals(queues.contains("RabbitMQ") ? "rabbitmq" : "redis"));
                            }
                        }
                        return false;
                    });

            StringWriter out = new StringWriter();
            CommandLine cli = Flotilla.commandLine().setOut(new PrintWriter(out, true));
            assertThat(cli.execute("saga", "list", "order", "--redis", redis)).isZero();
            assertThat(out.toString()).contains(completes + "  COMPLETED reserve=DONE charge=DONE notify=DONE")
                    .contains(cancelled + "  COMPENSATED reserve=COMPENSATED charge=FAILED notify=PENDING");
            out.getBuffer().setLength(0);
            assertThat(cli.execute("saga", "show", "order", cancelled, "--redis", redis)).isZero();
            assertThat(new JsonObject(out.toString()).getJsonArray("history").getJsonObject(3).getString("event"))
                    .isEqualTo("step reserve compensated; saga compensated");
        }
    }
}
