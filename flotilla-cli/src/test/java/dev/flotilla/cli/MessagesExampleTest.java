package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Seed 000 as two processes: {@code flotilla example sender} and {@code receiver}, through the real RabbitMQ and through Redis. */
class MessagesExampleTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** On RabbitMQ, and on Redis Streams (what a fleet with no broker installed uses). */
    @ParameterizedTest
    @ValueSource(strings = {"amqp://guest:guest@127.0.0.1:5672", "redis"})
    void whatTheSenderQueuesTheReceiverGets(String amqp) throws Exception {
        int senderPort = Ports.free();
        int receiverPort = Ports.free();
        try (JavaProcess receiver = JavaProcess.start(Map.of("PORT", Integer.toString(receiverPort), "FLOTILLA_AMQP", amqp),
                Flotilla.class,
                "example", "receiver");
                JavaProcess sender = JavaProcess.start(Map.of("PORT", Integer.toString(senderPort), "FLOTILLA_AMQP", amqp),
                        Flotilla.class, "example", "sender")) {
            String text = "hello " + System.nanoTime();
            HttpResponse<String>[] queued = new HttpResponse[1];
            Eventually.await("the sender queues it", Duration.ofSeconds(30), () -> {
                try {
                    queued[0] = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + senderPort + "/send"))
                            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("text", text).encode()))
                            .header("Content-Type", "application/json").build());
                    return queued[0].statusCode() == 202;
                } catch (Exception notYet) {
                    return false;
                }
            });
            String id = new JsonObject(queued[0].body()).getString("id");
            Eventually.await("the receiver got it", Duration.ofSeconds(30), () -> {
                try {
                    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiverPort + "/received"))
                            .build()).body().contains(id);
                } catch (Exception notYet) {
                    return false;
                }
            });
            HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + senderPort
                    + "/send")).POST(HttpRequest.BodyPublishers.ofString("{\"text\": 42}"))
                    .header("Content-Type", "application/json").build());
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("text: expected a string");
        }
    }
}
