package dev.flotilla.core.registry.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.time.ManualTicker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A watch whose stream goes silent (a registry frozen, a proxy holding the connection) is dropped and opened
 * again once the idle timeout has passed by the watch's clock, here a ticker the test moves.
 */
class WatchSilenceTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void aSilentWatchReconnectsWhenItsClockSaysTheIdleTimeoutPassed() throws Exception {
        AtomicInteger watches = new AtomicInteger();
        HttpServer registry = vertx.createHttpServer().requestHandler(request -> {
            watches.incrementAndGet();
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
                    .write("event: snapshot\nid: 1\ndata: {\"revision\":1,\"epoch\":\"e\",\"instances\":[]}\n\n");
            // then nothing: not even the keep-alive comments a live registry sends
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        ManualTicker ticker = new ManualTicker();
        RegistryClient client = RegistryClient.create(vertx,
                new RegistryClientOptions("http://127.0.0.1:" + registry.actualPort())
                        .setWatchIdleTimeoutMs(300).setTicker(ticker));
        InstanceWatch watch = client.watch(null);
        watch.ready().await(10, TimeUnit.SECONDS);

        Thread.sleep(1_000); // more than three idle timeouts of wall time: the watch's clock has not moved
        assertThat(watches.get()).isEqualTo(1);

        ticker.advance(Duration.ofMillis(301));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (watches.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(watches.get()).as("a new watch after the silence").isEqualTo(2);
        watch.close();
        client.close();
    }
}
