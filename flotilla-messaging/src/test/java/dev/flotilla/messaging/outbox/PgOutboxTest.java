package dev.flotilla.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.Message;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.Transports;
import dev.flotilla.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox in the machine's PostgreSQL ({@code FLOTILLA_TEST_PG}, default the local server as
 * {@code postgres}): what commits with the business row is published; what rolls back never is.
 */
class PgOutboxTest {

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String queue = "pg-outbox-test-" + id;
    private final String table = "outbox_" + id.replace('-', '_');
    private final String orders = "orders_" + id.replace('-', '_');
    private Vertx vertx;
    private Pool pool;
    private Messaging target;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
                .connectingTo(PgConnectOptions.fromUri(System.getenv().getOrDefault("FLOTILLA_TEST_PG",
                        "postgresql://postgres:postgres@127.0.0.1:5432/postgres")))
                .using(vertx).build();
        pool.query("CREATE TABLE " + orders + " (id TEXT PRIMARY KEY, amount INT NOT NULL)").execute()
                .await(10, TimeUnit.SECONDS);
        target = Transports.connect(vertx, "amqp://guest:guest@127.0.0.1:5672", "redis://127.0.0.1:6379", 1 << 20)
                .await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        pool.query("DROP TABLE IF EXISTS " + orders + ", " + table).execute().await(10, TimeUnit.SECONDS);
        target.close().await(10, TimeUnit.SECONDS);
        pool.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void whatCommitsWithTheBusinessRowIsPublishedAndWhatRollsBackNeverIs() throws Exception {
        PgOutbox outbox = PgOutbox.create(pool, table, 1 << 16).await(10, TimeUnit.SECONDS);
        List<Message> received = new CopyOnWriteArrayList<>();
        target.consume(queue, ConsumerOptions.DEFAULTS, message -> {
            received.add(message);
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);

        for (int i = 1; i <= 3; i++) {
            String order = "o" + i;
            int amount = i * 100;
            pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO " + orders + " VALUES ($1, $2)")
                    .execute(Tuple.of(order, amount))
                    .compose(r -> outbox.add(tx, OutboxMessage.of(queue, new JsonObject().put("order", order)))))
                    .await(10, TimeUnit.SECONDS);
        }
        // The business write fails after the message was added: neither stays.
        Future<Void> failed = pool.withTransaction(tx -> outbox.add(tx, OutboxMessage.of(queue,
                new JsonObject().put("order", "o1-again"))).compose(v -> tx.preparedQuery("INSERT INTO " + orders
                + " VALUES ($1, $2)").execute(Tuple.of("o1", 1))).mapEmpty());
        assertThatThrownBy(() -> failed.await(10, TimeUnit.SECONDS)).hasMessageContaining("duplicate key");
        assertThat(outbox.pending().await(10, TimeUnit.SECONDS)).isEqualTo(3);

        Subscription relay = outbox.relay(vertx, target, Duration.ofMillis(100));
        try {
            Eventually.check("three published", Duration.ofSeconds(10), () -> received.size() == 3);
            Eventually.check("the outbox is empty", Duration.ofSeconds(5),
                    () -> outbox.pending().await(5, TimeUnit.SECONDS) == 0);
            Thread.sleep(300);
            assertThat(received).extracting(m -> m.body().getString("order")).containsExactlyInAnyOrder("o1", "o2",
                    "o3");
        } finally {
            relay.cancel().await(10, TimeUnit.SECONDS);
        }
    }
}
