package dev.flotilla.messaging;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The counters the crash tests keep in a Redis hash (field: a message id or an action, value: a count). */
public final class RedisCounts {

    private RedisCounts() {
    }

    public static Map<String, Integer> of(Redis redis, String hash) throws Exception {
        Response all = redis.send(Request.cmd(Command.HGETALL).arg(hash)).await(10, TimeUnit.SECONDS);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + 1 < all.size(); i += 2) { // RESP2: field, value, field, value...
            counts.put(all.get(i).toString(), all.get(i + 1).toInteger());
        }
        return counts;
    }
}
