package dev.flotilla.messaging.outbox;

import dev.flotilla.messaging.CrashPoints;
import dev.flotilla.messaging.Deliveries;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transactional outbox in PostgreSQL, for a service whose data lives there: {@link #add} inserts the
 * message in the caller's transaction, beside its business write, so both commit or neither does.
 * <p>
 * A relay polls the table in its own transactions: it locks up to 100 of the oldest rows
 * ({@code FOR UPDATE SKIP LOCKED}, so several relays share the work), publishes them with confirms, deletes
 * them, and commits. A relay that dies before its commit leaves the rows where they were (its transaction
 * rolls back); the next poll publishes them again under the same ids, which the consumers' deduplication
 * drops.
 */
public final class PgOutbox {

    private static final Logger LOG = LoggerFactory.getLogger(PgOutbox.class);
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int BATCH = 100;

    private final Pool pool;
    private final String table;
    private final int maxMessageBytes;

    private PgOutbox(Pool pool, String table, int maxMessageBytes) {
        this.pool = pool;
        this.table = table;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The outbox in {@code table} (created if missing) of the database {@code pool} connects to. */
    public static Future<PgOutbox> create(Pool pool, String table, int maxMessageBytes) {
        if (table == null || !TABLE.matcher(table).matches()) {
            return Future.failedFuture(new IllegalArgumentException("outbox table: '" + table
                    + "' (expected a lower-case SQL name of 1-63 letters, digits and '_')"));
        }
        return pool.query("CREATE TABLE IF NOT EXISTS " + table + " (position BIGSERIAL PRIMARY KEY, id TEXT NOT NULL, "
                + "queue TEXT NOT NULL, body JSONB NOT NULL, headers JSONB NOT NULL, "
                + "created_at TIMESTAMPTZ NOT NULL DEFAULT now())").execute()
                .map(rows -> new PgOutbox(pool, table, maxMessageBytes));
    }

    /** Inserts {@code message} on {@code connection}, inside the caller's transaction. */
    public Future<Void> add(SqlConnection connection, OutboxMessage message) {
        try {
            Deliveries.encode(message.queue(), message.body(), maxMessageBytes);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return connection.preparedQuery("INSERT INTO " + table + " (id, queue, body, headers) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(message.id(), message.queue(), message.body(),
                        new JsonObject(new HashMap<>(message.headers()))))
                .mapEmpty();
    }

    /** How many messages wait to be published. */
    public Future<Long> pending() {
        return pool.query("SELECT count(*) FROM " + table).execute().map(rows -> rows.iterator().next().getLong(0));
    }

    /** Starts publishing to {@code target}, polling every {@code interval}, until the subscription is cancelled. */
    public Subscription relay(Vertx vertx, Messaging target, Duration interval) {
        Relay relay = new Relay(vertx, target, interval.toMillis());
        vertx.runOnContext(v -> relay.poll());
        return relay::stop;
    }

    private final class Relay {

        private final Vertx vertx;
        private final Messaging target;
        private final long interval;
        private volatile boolean stopped;
        private final Promise<Void> done = Promise.promise();

        Relay(Vertx vertx, Messaging target, long interval) {
            this.vertx = vertx;
            this.target = target;
            this.interval = interval;
        }

        void poll() {
            if (stopped) {
                done.tryComplete();
                return;
            }
            pool.withTransaction(connection -> connection.preparedQuery("SELECT position, id, queue, body, headers "
                    + "FROM " + table + " ORDER BY position LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED").execute()
                    .compose(rows -> {
                        List<Future<String>> published = new ArrayList<>();
                        List<Long> positions = new ArrayList<>();
                        for (Row row : rows) {
                            positions.add(row.getLong("position"));
                            Map<String, String> headers = new HashMap<>();
                            row.getJsonObject("headers").forEach(e -> headers.put(e.getKey(),
                                    String.valueOf(e.getValue())));
                            String queue = row.getString("queue");
                            CrashPoints.reached("outbox.before-publish", queue);
                            published.add(target.publish(queue, row.getJsonObject("body"), headers,
                                    row.getString("id")));
                        }
                        return Future.all(published).compose(all -> {
                            if (positions.isEmpty()) {
                                return Future.succeededFuture(0);
                            }
                            CrashPoints.reached("outbox.before-mark", table);
                            return connection.preparedQuery("DELETE FROM " + table + " WHERE position = ANY($1)")
                                    .execute(Tuple.of(positions.toArray(Long[]::new))).map(deleted -> positions.size());
                        });
                    })).onComplete(ar -> {
                        if (ar.failed()) {
                            LOG.warn("outbox {}: publishing failed ({}); trying again", table, ar.cause().getMessage());
                        }
                        boolean full = ar.succeeded() && ar.result() == BATCH;
                        if (full) {
                            poll(); // more are waiting: no pause
                        } else {
                            vertx.setTimer(interval, t -> poll());
                        }
                    });
        }

        Future<Void> stop() {
            stopped = true;
            return done.future();
        }
    }
}
