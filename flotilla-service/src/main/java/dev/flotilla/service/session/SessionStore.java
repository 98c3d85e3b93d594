package dev.flotilla.service.session;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Where sessions live. Every write names the attributes it changes and is one atomic step in the store,
 * decided against what is stored at that moment (never against what a request read earlier), so two
 * requests of one session never undo each other and a destroyed session stays destroyed.
 */
public interface SessionStore {

    /** One change of one attribute. */
    record Change(Op op, String name, String json) {
        public enum Op { SET, DELETE, INCREMENT }
    }

    /** The outcome of a write; {@code increments} holds the new values of its increments, in order. */
    record Written(List<Long> increments) {
    }

    /**
     * The session's attributes as JSON texts, its idle clock started again; null when the store does not
     * know the id (never existed, ended, or past its absolute limit).
     */
    Future<Map<String, String>> load(String id, long nowMs);

    /**
     * Applies {@code changes} all or none. Fails with {@link SessionEnded} when the session no longer exists
     * and {@code create} is false, and with {@link SessionFull} when a limit would be passed; in both cases
     * nothing stored changes.
     */
    Future<Written> write(String id, boolean create, List<Change> changes, long nowMs);

    /** Moves the session to {@code newId}; fails with {@link SessionEnded} when it has ended. */
    Future<Void> rename(String id, String newId);

    /** Ends the session; a no-op when it has ended already. */
    Future<Void> delete(String id);

    /** Releases the store's connections. */
    Future<Void> close();

    /** The session ended (logout, regenerate, expiry) while a request still held it. */
    final class SessionEnded extends RuntimeException {
        public SessionEnded(String id) {
            super("session " + id.substring(0, Math.min(6, id.length())) + "... has ended", null, false, false);
        }
    }

    /** A write would pass the session's attribute count or size limit. */
    final class SessionFull extends RuntimeException {
        public SessionFull(String message) {
            super(message, null, false, false);
        }
    }
}
