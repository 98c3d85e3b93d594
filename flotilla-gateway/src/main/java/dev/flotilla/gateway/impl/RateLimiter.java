package dev.flotilla.gateway.impl;

import io.vertx.core.Future;

/** A token bucket per key: {@code true} when a request with this key may go now. */
interface RateLimiter {

    Future<Boolean> tryAcquire(String key);
}
