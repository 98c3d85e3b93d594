package dev.flotilla.core.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script shipped as a resource, run with EVALSHA and sent whole (EVAL) only when Redis lacks it. Every
 * compare-and-set against Redis in Flotilla is one such script, so that the check and the write are atomic.
 */
public final class LuaScript {

    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The script in resource {@code name}, relative to {@code owner}'s package. */
    public static LuaScript load(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + name);
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Future<Response> run(Redis redis, List<String> keys, Object... args) {
        return redis.send(request(Command.EVALSHA, sha, keys, args)).recover(failure ->
                failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT")
                        ? redis.send(request(Command.EVAL, source, keys, args))
                        : Future.failedFuture(failure));
    }

    private static Request request(Command command, String script, List<String> keys, Object... args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            request.arg(String.valueOf(arg));
        }
        return request;
    }
}
