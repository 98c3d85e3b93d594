package dev.flotilla.registry;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads a watch stream the way any SSE client would, independently of Flotilla's own client. */
final class SseStream implements AutoCloseable {

    record Event(String id, String type, JsonObject data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile Stream<String> lines;
    private final Thread reader;

    private SseStream(String url, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("watch answered " + response.statusCode());
        }
        lines = response.body();
        reader = new Thread(this::read, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static SseStream open(String url, String lastEventId) throws Exception {
        return new SseStream(url, lastEventId);
    }

    private void read() {
        String[] current = new String[3];
        try {
            lines.forEach(line -> {
                if (line.isEmpty()) {
                    if (current[2] != null) {
                        events.add(new Event(current[0], current[1], new JsonObject(current[2])));
                    }
                    current[0] = current[1] = current[2] = null;
                } else if (line.startsWith("id: ")) {
                    current[0] = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    current[1] = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    current[2] = line.substring(6);
                }
            });
        } catch (RuntimeException closed) {
            // the stream was closed
        }
    }

    /** The next event, or null after {@code timeout}. */
    Event next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next event, failing the test after 10 s. */
    Event next() throws InterruptedException {
        Event event = next(Duration.ofSeconds(10));
        if (event == null) {
            throw new AssertionError("no watch event within 10 s");
        }
        return event;
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
