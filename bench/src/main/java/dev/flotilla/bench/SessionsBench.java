package dev.flotilla.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session load: USERS browsers, each logged in with a session of its own, each asking {@code GET /me} (a
 * read-modify-write of the {@code views} attribute) one request after another for SECONDS. Prints
 * requests/s, p50 and p99 latency, errors, and lost writes: at the end each browser asks once more, and
 * the server's view count must be exactly one more than the answers it got.
 *
 * <p>Usage: {@code SessionsBench BASE_URL USERS SECONDS LABEL}. In Java rather than wrk because every
 * connection needs a cookie of its own and the count of its answers.
 */
public final class SessionsBench {

    private SessionsBench() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int users = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        String label = args[3];
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(users));
        String prefix = base.getPath();
        List<String> cookies = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            String user = "user" + i;
            cookies.add(onLoop(vertx, () -> login(http, prefix, user)).await(10, TimeUnit.SECONDS));
        }
        long[] latencies = new long[1 << 22];
        AtomicLong count = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long[] answered = new long[users];
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long started = System.nanoTime();
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            int user = i;
            Promise<Void> done = Promise.promise();
            vertx.runOnContext(v -> loop(http, prefix, cookies.get(user), end, latencies, count, errors,
                    answered, user, done));
            loops.add(done.future());
        }
        Future.all(loops).await(seconds + 30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        long lost = 0;
        long unverified = 0;
        for (int i = 0; i < users; i++) {
            JsonObject me = null;
            for (int attempt = 0; attempt < 3 && me == null; attempt++) {
                try {
                    String cookie = cookies.get(i);
                    me = onLoop(vertx, () -> me(http, prefix, cookie)).await(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("verifying user" + i + ": " + e);
                }
            }
            if (me == null) {
                unverified++;
            } else {
                lost += answered[i] + 1 - me.getLong("views");
            }
        }
        int n = (int) Math.min(count.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        System.out.printf("%s req/s=%.0f p50=%.2fms p99=%.2fms requests=%d errors=%d lost_writes=%d%s%n", label,
                count.get() / elapsed, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6, count.get(),
                errors.get(), lost, unverified == 0 ? "" : " unverified_users=" + unverified);
        vertx.close().await(5, TimeUnit.SECONDS);
        System.exit(0);
    }

    /**
     * Runs a request on the client's event loop. Requests sent from the main thread now and then got no
     * answer at all (seen a few times in 40 000); from the loop they never did.
     */
    private static <T> Future<T> onLoop(Vertx vertx, java.util.function.Supplier<Future<T>> request) {
        Promise<T> result = Promise.promise();
        vertx.runOnContext(v -> request.get().onComplete(result));
        return result.future();
    }

    private static void loop(HttpClient http, String prefix, String cookie, long end, long[] latencies,
            AtomicLong count, AtomicLong errors, long[] answered, int user, Promise<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete();
            return;
        }
        long sent = System.nanoTime();
        me(http, prefix, cookie).onComplete(ar -> {
            long took = System.nanoTime() - sent;
            if (ar.succeeded()) {
                long i = count.getAndIncrement();
                if (i < latencies.length) {
                    latencies[(int) i] = took;
                }
                answered[user]++;
            } else if (errors.incrementAndGet() <= 3) {
                System.err.println("error: " + ar.cause());
            }
            loop(http, prefix, cookie, end, latencies, count, errors, answered, user, done);
        });
    }

    private static Future<String> login(HttpClient http, String prefix, String user) {
        return http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(prefix + "/login")
                        .putHeader("Content-Type", "application/json"))
                .compose(request -> request.send(Buffer.buffer(new JsonObject().put("user", user).encode())))
                .compose(response -> response.body().map(body -> {
                    String setCookie = response.getHeader("Set-Cookie");
                    if (response.statusCode() != 200 || setCookie == null) {
                        throw new IllegalStateException("login answered " + response.statusCode() + " " + body);
                    }
                    return setCookie.split(";", 2)[0];
                }));
    }

    private static Future<JsonObject> me(HttpClient http, String prefix, String cookie) {
        return http.request(new RequestOptions().setURI(prefix + "/me").putHeader("Cookie", cookie).setIdleTimeout(10_000))
                .compose(request -> request.send())
                .compose(response -> response.body().map(body -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("/me answered " + response.statusCode() + " " + body);
                    }
                    return body.toJsonObject();
                }));
    }
}
