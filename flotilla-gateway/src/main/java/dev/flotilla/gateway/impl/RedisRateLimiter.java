package dev.flotilla.gateway.impl;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets in Redis, so that every gateway in front of a service counts against the same limit.
 * Each decision is one Lua script (atomic). When Redis cannot answer, requests are let through (fail
 * open): a rate limit must not turn a Redis outage into a full outage.
 */
final class RedisRateLimiter implements RateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
    private static final String SCRIPT = load();

    private final Redis redis;
    private final String prefix;
    private final String rate;
    private final String burst;

    RedisRateLimiter(Redis redis, String prefix, double requestsPerSecond, int burst) {
        this.redis = redis;
        this.prefix = prefix;
        this.rate = Double.toString(requestsPerSecond);
        this.burst = Integer.toString(burst);
    }

    @Override
    public Future<Boolean> tryAcquire(String key) {
        return redis.send(Request.cmd(Command.EVAL).arg(SCRIPT).arg(1).arg(prefix + key).arg(rate).arg(burst))
                .map(response -> response.toInteger() == 1)
                .recover(e -> {
                    LOG.warn("shared rate limit unavailable, letting the request through: {}", e.getMessage());
                    return Future.succeededFuture(true);
                });
    }

    private static String load() {
        try (InputStream in = RedisRateLimiter.class.getResourceAsStream("/dev/flotilla/gateway/token-bucket.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
