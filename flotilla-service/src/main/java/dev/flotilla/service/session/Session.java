package dev.flotilla.service.session;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.json.JsonValues;
import dev.flotilla.service.session.SessionStore.Change;
import dev.flotilla.service.session.SessionStore.Change.Op;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The session of the request being handled, shared by every instance of the service.
 * <pre>
 * Session session = Session.of(ctx);
 * String user = session.getString("user");
 * session.increment("views", 1).onSuccess(views -&gt; ctx.json(Map.of("user", user, "views", views)))
 *         .onFailure(ctx::fail);
 * </pre>
 * Reads come from what was loaded when the request began. Each write goes to the store at once, changes
 * only the attributes it names and completes when the store has it, so two requests of one session never
 * undo each other's changes and the next request, on any instance, reads them. Values are JSON
 * ({@link JsonValues#encode}); a value that is not is refused with {@link IllegalArgumentException} where
 * it is set. Failed writes carry an {@link HttpFailure}: 409 {@code session_ended} when the session ended
 * (logout elsewhere) while this request ran, 413 {@code session_full} at a limit, 503
 * {@code session_store_unavailable} when the store does not answer in time.
 */
public final class Session {

    static final String CONTEXT_KEY = "flotilla.session";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionStore store;
    private final SessionOptions options;
    private final String offeredId;
    private final Map<String, Object> attributes;
    private String id;
    private boolean stored;
    private boolean destroyed;

    Session(SessionStore store, SessionOptions options, String offeredId, String id, Map<String, Object> attributes,
            boolean stored) {
        this.store = store;
        this.options = options;
        this.offeredId = offeredId;
        this.id = id;
        this.attributes = attributes;
        this.stored = stored;
    }

    /**
     * The session of {@code ctx}'s request.
     *
     * @throws IllegalStateException when the service did not turn sessions on
     */
    public static Session of(RoutingContext ctx) {
        Session session = ctx.get(CONTEXT_KEY);
        if (session == null) {
            throw new IllegalStateException("this service has no sessions: call .sessions() on its FlotillaService");
        }
        return session;
    }

    /** 256 random bits, URL-safe base64: 43 characters. */
    static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static boolean wellFormed(String id) {
        return id != null && id.length() == 43 && id.chars().allMatch(c -> c >= 'A' && c <= 'Z'
                || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_');
    }

    public String id() {
        return id;
    }

    /** True until the first write stores the session; a new session sets no cookie until then. */
    public boolean isNew() {
        return !stored;
    }

    /** The attribute's value (String, Boolean, Number, JsonObject or JsonArray), or null. */
    public Object get(String name) {
        return attributes.get(name);
    }

    public String getString(String name) {
        Object value = attributes.get(name);
        return value == null ? null : value.toString();
    }

    public Long getLong(String name) {
        return attributes.get(name) instanceof Number n ? n.longValue() : null;
    }

    public JsonObject getJsonObject(String name) {
        return attributes.get(name) instanceof JsonObject o ? o : null;
    }

    public JsonArray getJsonArray(String name) {
        return attributes.get(name) instanceof JsonArray a ? a : null;
    }

    /** Every attribute, as loaded and as changed by this request. */
    public Map<String, Object> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    /** Sets one attribute. */
    public Future<Void> put(String name, Object value) {
        return putAll(Map.of(name, value));
    }

    /** Sets several attributes in one step: all or none. */
    public Future<Void> putAll(Map<String, ?> values) {
        List<Change> changes = new ArrayList<>();
        Map<String, Object> decoded = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            JsonValues.checkName("session attribute", name);
            String json = JsonValues.encode("session attribute '" + name + "'", value);
            if (json.length() + name.length() > options.maxBytes()) {
                throw new IllegalArgumentException("session attribute '" + name + "': " + json.length()
                        + " bytes of JSON; a session holds at most " + options.maxBytes());
            }
            changes.add(new Change(Op.SET, name, json));
            decoded.put(name, JsonValues.decode(json));
        });
        return write(changes).map(written -> {
            attributes.putAll(decoded);
            return null;
        });
    }

    /** Removes one attribute; a no-op when it is not there. */
    public Future<Void> remove(String name) {
        JsonValues.checkName("session attribute", name);
        return write(List.of(new Change(Op.DELETE, name, null))).map(written -> {
            attributes.remove(name);
            return null;
        });
    }

    /**
     * Adds {@code delta} to an integer attribute (absent counts as 0) in the store itself, so concurrent
     * increments all count; completes with the new value.
     */
    public Future<Long> increment(String name, long delta) {
        JsonValues.checkName("session attribute", name);
        return write(List.of(new Change(Op.INCREMENT, name, Long.toString(delta)))).map(written -> {
            long value = written.increments().get(0);
            attributes.put(name, value);
            return value;
        });
    }

    /**
     * Gives the session a new id and ends the old one, keeping the attributes: call it when the user logs
     * in, so an id someone planted before the login is worth nothing after it.
     */
    public Future<Void> regenerate() {
        checkUsable();
        String newId = newId();
        if (!stored) {
            id = newId;
            return Future.succeededFuture();
        }
        return guard(store.rename(id, newId), options).map(v -> {
            id = newId;
            return null;
        });
    }

    /** Ends the session in the store: the cookie is cleared, and replaying it finds nothing. */
    public Future<Void> destroy() {
        checkUsable();
        destroyed = true;
        attributes.clear();
        return stored ? guard(store.delete(id), options) : Future.succeededFuture();
    }

    private Future<SessionStore.Written> write(List<Change> changes) {
        checkUsable();
        boolean create = !stored;
        return guard(store.write(id, create, changes, System.currentTimeMillis()), options).map(written -> {
            stored = true;
            return written;
        });
    }

    private void checkUsable() {
        if (destroyed) {
            throw new IllegalStateException("this request destroyed its session; it cannot be used again");
        }
    }

    /** The store's outcome in HTTP terms, within the store timeout. */
    static <T> Future<T> guard(Future<T> operation, SessionOptions options) {
        return operation.timeout(options.storeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .recover(failure -> Future.failedFuture(translate(failure, options)));
    }

    static Throwable translate(Throwable failure, SessionOptions options) {
        if (failure instanceof SessionStore.SessionEnded) {
            return new HttpFailure(409, "session_ended", "the session ended (logged out or expired) while "
                    + "this request ran; nothing was written");
        }
        if (failure instanceof SessionStore.SessionFull) {
            return new HttpFailure(413, "session_full", failure.getMessage() + "; nothing was written");
        }
        if (failure instanceof IllegalArgumentException || failure instanceof HttpFailure) {
            return failure;
        }
        String why = failure instanceof TimeoutException
                ? "it did not answer within " + options.storeTimeout().toMillis() + " ms"
                : String.valueOf(failure.getMessage());
        return new HttpFailure(503, "session_store_unavailable", "the session store cannot be reached: " + why);
    }

    // Read by the handler when the response head is written.

    boolean destroyed() {
        return destroyed;
    }

    boolean stored() {
        return stored;
    }

    String offeredId() {
        return offeredId;
    }
}
