package dev.flotilla.service.session;

import dev.flotilla.service.ServiceContext;

/** The store {@link SessionOptions#store()} names. */
public final class SessionStores {

    private SessionStores() {
    }

    /**
     * A store for {@code service}'s sessions.
     *
     * @throws IllegalStateException when the store needs configuration the service lacks
     */
    public static SessionStore create(ServiceContext service, SessionOptions options) {
        if (options.store().equals("redis")) {
            if (service.config().redisUrl() == null) {
                throw new IllegalStateException(service.name() + " has sessions in Redis but no FLOTILLA_REDIS; "
                        + "set it, or FLOTILLA_SESSIONS to a mongodb:// URL");
            }
            return new RedisSessionStore(service.redis(), options);
        }
        return new MongoSessionStore(service.vertx(), options);
    }
}
