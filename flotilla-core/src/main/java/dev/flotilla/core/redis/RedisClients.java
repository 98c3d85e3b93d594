package dev.flotilla.core.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/** The one way Flotilla opens Redis: the same pool limits everywhere, sized for a server under load. */
public final class RedisClients {

    private RedisClients() {
    }

    /**
     * A pooled client on {@code url}: up to 16 connections, and up to 4096 requests waiting for one (the
     * client's default of 24 refuses requests under ordinary load). RESP2, whose replies every script here
     * is written against.
     */
    public static Redis create(Vertx vertx, String url) {
        return Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(url)
                .setMaxPoolSize(16)
                .setMaxPoolWaiting(4096)
                .setPreferredProtocolVersion(ProtocolVersion.RESP2));
    }
}
