package dev.flotilla.service.session;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sessions in MongoDB (seed 001's connect-mongo), through Vert.x's client of the official driver: one
 * document per session in collection {@code sessions}, {@code {_id, created, expires, rev, size, attrs}},
 * each attribute's JSON text under {@code attrs}. A TTL index on {@code expires} lets MongoDB delete ended
 * sessions; loads check the time themselves as well, since the TTL monitor runs only once a minute.
 *
 * <p>A write is a compare-and-set on {@code rev}: read the document, decide (limits, increments) from it,
 * then update only if {@code rev} is unchanged, else read again. The update never upserts an existing id,
 * so a session deleted meanwhile stays deleted.
 */
final class MongoSessionStore implements SessionStore {

    private static final String COLLECTION = "sessions";
    /** Far more than contention on one session needs; past it the write fails rather than spin. */
    private static final int MAX_ATTEMPTS = 200;

    private final MongoClient mongo;
    private final SessionOptions options;
    private final Future<Void> ready;
    /** The last write started for each session on this instance; the next one for it waits for it. */
    private final Map<String, Future<Written>> lastWrites = new ConcurrentHashMap<>();

    MongoSessionStore(Vertx vertx, SessionOptions options) {
        this.options = options;
        String database = URI.create(options.store().replace("mongodb+srv://", "mongodb://")).getPath();
        if (database == null || database.length() < 2) {
            throw new IllegalArgumentException("session store '" + options.store()
                    + "' names no database (expected mongodb://host:port/DATABASE)");
        }
        this.mongo = MongoClient.createShared(vertx, new JsonObject()
                .put("connection_string", options.store())
                .put("db_name", database.substring(1))
                .put("serverSelectionTimeoutMS", options.storeTimeout().toMillis())
                .put("connectTimeoutMS", options.storeTimeout().toMillis()), "flotilla-sessions");
        this.ready = mongo.createIndexWithOptions(COLLECTION, new JsonObject().put("expires", 1),
                new IndexOptions().expireAfter(0L, TimeUnit.SECONDS)).recover(e -> Future.succeededFuture());
    }

    @Override
    public Future<Map<String, String>> load(String id, long nowMs) {
        return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null).compose(doc -> {
            if (doc == null) {
                return Future.succeededFuture(null);
            }
            if (ended(doc, nowMs)) {
                return mongo.removeDocument(COLLECTION, new JsonObject().put("_id", id)).map(r -> null);
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            doc.getJsonObject("attrs", new JsonObject()).forEach(e -> attributes.put(decodeName(e.getKey()),
                    (String) e.getValue()));
            return mongo.updateCollection(COLLECTION, new JsonObject().put("_id", id), new JsonObject()
                    .put("$set", new JsonObject().put("expires", date(expiry(doc.getLong("created"), nowMs)))))
                    .map(r -> attributes);
        });
    }

    /**
     * Writes of one session from this instance go one after the other: only writes from different instances
     * can then lose a compare-and-set to each other. (Fifty at once from one instance would otherwise make
     * most attempts lose, and the last writer wait past the store timeout.)
     */
    @Override
    public Future<Written> write(String id, boolean create, List<Change> changes, long nowMs) {
        Future<Written> mine = lastWrites.compute(id, (key, previous) ->
                (previous == null ? ready : previous.<Void>transform(ar -> Future.succeededFuture()))
                        .compose(v -> attempt(id, create, changes, nowMs, 1)));
        mine.onComplete(ar -> lastWrites.remove(id, mine));
        return mine;
    }

    private Future<Written> attempt(String id, boolean create, List<Change> changes, long nowMs, int attempt) {
        if (attempt > MAX_ATTEMPTS) {
            return Future.failedFuture(new IllegalStateException("session " + id.substring(0, 6)
                    + "... changed under " + MAX_ATTEMPTS + " attempts in a row"));
        }
        return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null).compose(doc -> {
            if (doc == null || ended(doc, nowMs)) {
                if (!create || doc != null) {
                    return Future.failedFuture(new SessionEnded(id));
                }
            }
            boolean exists = doc != null;
            JsonObject attrs = exists ? doc.getJsonObject("attrs", new JsonObject()).copy() : new JsonObject();
            List<Long> increments = new ArrayList<>();
            JsonObject set = new JsonObject();
            JsonObject unset = new JsonObject();
            for (Change change : changes) {
                String field = encodeName(change.name());
                switch (change.op()) {
                    case SET -> {
                        attrs.put(field, change.json());
                        set.put("attrs." + field, change.json());
                    }
                    case DELETE -> {
                        attrs.remove(field);
                        set.remove("attrs." + field);
                        unset.put("attrs." + field, "");
                    }
                    case INCREMENT -> {
                        String old = attrs.getString(field);
                        long base;
                        try {
                            base = old == null ? 0 : Long.parseLong(old);
                        } catch (NumberFormatException e) {
                            return Future.failedFuture(new IllegalArgumentException("session attribute '"
                                    + change.name() + "' is not an integer; it cannot be incremented"));
                        }
                        String value = Long.toString(base + Long.parseLong(change.json()));
                        increments.add(Long.parseLong(value));
                        attrs.put(field, value);
                        set.put("attrs." + field, value);
                    }
                }
            }
            long size = 0;
            for (Map.Entry<String, Object> entry : attrs) {
                size += decodeName(entry.getKey()).length() + ((String) entry.getValue()).length();
            }
            if (attrs.size() > options.maxAttributes()) {
                return Future.failedFuture(new SessionFull("the session would hold " + attrs.size()
                        + " attributes; the limit is " + options.maxAttributes()));
            }
            if (size > options.maxBytes()) {
                return Future.failedFuture(new SessionFull("the session would hold " + size
                        + " bytes; the limit is " + options.maxBytes()));
            }
            Written written = new Written(increments);
            long created = exists ? doc.getLong("created") : nowMs;
            if (!exists) {
                return mongo.insert(COLLECTION, new JsonObject().put("_id", id).put("created", created)
                        .put("expires", date(expiry(created, nowMs))).put("rev", 1L).put("size", size)
                        .put("attrs", attrs)).map(written)
                        .recover(duplicate -> attempt(id, create, changes, nowMs, attempt + 1));
            }
            long rev = doc.getLong("rev");
            set.put("rev", rev + 1).put("size", size).put("expires", date(expiry(created, nowMs)));
            JsonObject update = new JsonObject().put("$set", set);
            if (!unset.isEmpty()) {
                update.put("$unset", unset);
            }
            return mongo.updateCollection(COLLECTION, new JsonObject().put("_id", id).put("rev", rev), update)
                    .compose(result -> result.getDocMatched() == 1 ? Future.succeededFuture(written)
                            : attempt(id, create, changes, nowMs, attempt + 1));
        });
    }

    @Override
    public Future<Void> rename(String id, String newId) {
        // MongoDB cannot change an _id: insert the copy, then delete the original only if it is unchanged.
        return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null).compose(doc -> {
            if (doc == null || ended(doc, System.currentTimeMillis())) {
                return Future.failedFuture(new SessionEnded(id));
            }
            JsonObject copy = doc.copy().put("_id", newId);
            return mongo.insert(COLLECTION, copy)
                    .compose(inserted -> mongo.removeDocument(COLLECTION, new JsonObject().put("_id", id)
                            .put("rev", doc.getLong("rev"))))
                    .compose(removed -> {
                        if (removed.getRemovedCount() == 1) {
                            return Future.<Void>succeededFuture();
                        }
                        // Changed or ended meanwhile: undo the copy, and let the caller try again.
                        return mongo.removeDocument(COLLECTION, new JsonObject().put("_id", newId))
                                .compose(r -> Future.failedFuture(new SessionEnded(id)));
                    });
        });
    }

    @Override
    public Future<Void> delete(String id) {
        return mongo.removeDocument(COLLECTION, new JsonObject().put("_id", id)).mapEmpty();
    }

    @Override
    public Future<Void> close() {
        return mongo.close();
    }

    private boolean ended(JsonObject doc, long nowMs) {
        long created = doc.getLong("created");
        JsonObject expires = doc.getJsonObject("expires");
        long expiresMs = expires == null ? 0 : Instant.parse(expires.getString("$date")).toEpochMilli();
        return nowMs >= expiresMs || nowMs - created >= options.absoluteTimeout().toMillis();
    }

    private long expiry(long created, long nowMs) {
        return Math.min(nowMs + options.idleTimeout().toMillis(), created + options.absoluteTimeout().toMillis());
    }

    private static JsonObject date(long ms) {
        return new JsonObject().put("$date", Instant.ofEpochMilli(ms).toString());
    }

    /** Field names may not hold {@code .} or start with {@code $}: attribute names are percent-encoded. */
    private static String encodeName(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace(".", "%2E").replace("$", "%24");
    }

    private static String decodeName(String field) {
        return URLDecoder.decode(field, StandardCharsets.UTF_8);
    }
}
