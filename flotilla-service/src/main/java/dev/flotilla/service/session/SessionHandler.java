package dev.flotilla.service.session;

import dev.flotilla.core.json.JsonValues;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds each request's session before the service's routes run, and sets or clears the cookie as the
 * response head goes out.
 *
 * <p>Why not Vert.x's {@code SessionHandler}: it writes the whole session back when the response ends, after
 * the answer may already have reached the client, so the client's next request can miss the change and two
 * concurrent requests overwrite each other. Here each write goes to the store before the handler answers
 * (see {@link Session}); this class only reads the cookie and loads.
 *
 * <p>An id the store does not know is never reused: that request gets a new session with a new id (no
 * fixation). When the store cannot be reached in time, the request fails with 503 rather than running with
 * an empty session that would look like a logout.
 */
public final class SessionHandler implements Handler<RoutingContext> {

    private final SessionStore store;
    private final SessionOptions options;

    public SessionHandler(SessionStore store, SessionOptions options) {
        this.store = store;
        this.options = options;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(options.cookieName());
        String offered = cookie == null ? null : cookie.getValue();
        ctx.addHeadersEndHandler(v -> writeCookie(ctx));
        if (!Session.wellFormed(offered)) {
            attach(ctx, fresh(offered));
            return;
        }
        ctx.request().pause();
        Session.guard(store.load(offered, System.currentTimeMillis()), options).onComplete(ar -> {
            ctx.request().resume();
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result() == null) {
                attach(ctx, fresh(offered));
            } else {
                Map<String, Object> attributes = new HashMap<>();
                ar.result().forEach((name, json) -> attributes.put(name, JsonValues.decode(json)));
                attach(ctx, new Session(store, options, offered, offered, attributes, true));
            }
        });
    }

    private Session fresh(String offered) {
        return new Session(store, options, offered, Session.newId(), new HashMap<>(), false);
    }

    private static void attach(RoutingContext ctx, Session session) {
        ctx.put(Session.CONTEXT_KEY, session);
        ctx.next();
    }

    private void writeCookie(RoutingContext ctx) {
        Session session = ctx.get(Session.CONTEXT_KEY);
        if (session == null) {
            return;
        }
        if (session.destroyed()) {
            if (session.offeredId() != null) {
                ctx.response().addCookie(cookie(ctx.request(), "").setMaxAge(0));
            }
        } else if (session.stored() && !session.id().equals(session.offeredId())) {
            ctx.response().addCookie(cookie(ctx.request(), session.id()));
        }
    }

    /** HttpOnly, SameSite=Lax, Path=/, and Secure when the client reached the gateway over TLS. */
    private Cookie cookie(HttpServerRequest request, String value) {
        String proto = request.getHeader("X-Forwarded-Proto");
        boolean secure = request.isSSL() || proto != null && proto.trim().regionMatches(true, 0, "https", 0, 5);
        return Cookie.cookie(options.cookieName(), value).setHttpOnly(true).setSameSite(CookieSameSite.LAX)
                .setPath("/").setSecure(secure);
    }
}
