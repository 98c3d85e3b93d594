package dev.flotilla.service.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.RedisProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shared maps as two processes see them (two Vert.x instances, each with its own connections) on real
 * Redis: pushed changes, version order, no roll-back, recovery from lost messages and from a Redis that
 * was killed and came back empty.
 */
class SharedMapTest {

    private static final String REDIS = "redis://127.0.0.1:6379";
    private final List<Vertx> processes = new ArrayList<>();
    private final List<SharedMap> maps = new ArrayList<>();
    private final String name = "test-" + UUID.randomUUID();

    @AfterEach
    void stop() throws Exception {
        for (SharedMap map : maps) {
            map.close().await(5, TimeUnit.SECONDS);
        }
        for (Vertx vertx : processes) {
            vertx.close().await(5, TimeUnit.SECONDS);
        }
    }

    private SharedMap open(String redisUrl) throws Exception {
        Vertx vertx = Vertx.vertx();
        processes.add(vertx);
        SharedMap map = RedisSharedMap.open(vertx, redisUrl, name);
        maps.add(map);
        map.ready().await(10, TimeUnit.SECONDS);
        return map;
    }

    private Redis direct(String url) {
        Vertx vertx = Vertx.vertx();
        processes.add(vertx);
        return Redis.createClient(vertx, url);
    }

    @Test
    void aWriteOnOneInstanceReachesTheOthersCacheAndListener() throws Exception {
        SharedMap a = open(REDIS);
        SharedMap b = open(REDIS);
        List<SharedChange> heardByB = new CopyOnWriteArrayList<>();
        b.onChange(heardByB::add);

        long v1 = a.put("theme", new JsonObject().put("color", "teal")).await(5, TimeUnit.SECONDS);
        assertThat(a.get("theme").value()).as("read-your-writes").isEqualTo(new JsonObject().put("color", "teal"));
        Eventually.await("b hears the change", Duration.ofSeconds(5), () -> heardByB.size() == 1);
        assertThat(b.get("theme")).isEqualTo(new Versioned(new JsonObject().put("color", "teal"), v1));
        assertThat(heardByB.get(0)).isEqualTo(new SharedChange("theme", new JsonObject().put("color", "teal"), v1));

        long v2 = b.remove("theme").await(5, TimeUnit.SECONDS);
        assertThat(v2).isGreaterThan(v1);
        Eventually.await("a sees the removal", Duration.ofSeconds(5), () -> a.get("theme") == null);
        assertThat(b.read("theme").await(5, TimeUnit.SECONDS)).isNull();
        assertThat(a.inStep()).isTrue();
    }

    @Test
    void listenersHearEveryChangeOnceInVersionOrder() throws Exception {
        SharedMap a = open(REDIS);
        SharedMap b = open(REDIS);
        List<Long> heardByA = new CopyOnWriteArrayList<>();
        List<Long> heardByB = new CopyOnWriteArrayList<>();
        a.onChange(change -> heardByA.add(change.version()));
        b.onChange(change -> heardByB.add(change.version()));
        List<io.vertx.core.Future<Long>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add((i % 2 == 0 ? a : b).put("k" + (i % 7), i));
        }
        io.vertx.core.Future.all(writes).await(10, TimeUnit.SECONDS);
        Eventually.await("both heard 200 changes", Duration.ofSeconds(5),
                () -> heardByA.size() >= 200 && heardByB.size() >= 200);
        Thread.sleep(200);
        assertThat(heardByA).hasSize(200).isSorted().doesNotHaveDuplicates();
        assertThat(heardByB).isEqualTo(heardByA);
        assertThat(a.entries()).isEqualTo(b.entries());
    }

    @Test
    void aLateOrRepeatedMessageNeverRollsAValueBack() throws Exception {
        SharedMap a = open(REDIS);
        SharedMap b = open(REDIS);
        List<SharedChange> heard = new CopyOnWriteArrayList<>();
        b.onChange(heard::add);
        long old = a.put("mode", "old").await(5, TimeUnit.SECONDS);
        long current = a.put("mode", "new").await(5, TimeUnit.SECONDS);
        Eventually.await("b has the new value", Duration.ofSeconds(5), () -> heard.size() == 2);
        String epoch = direct(REDIS).send(Request.cmd(Command.GET).arg("flotilla:shared:" + name + ":epoch"))
                .await(5, TimeUnit.SECONDS).toString();
        Redis redis = direct(REDIS);
        for (long version : List.of(old, current)) { // the old one late, the current one repeated
            String payload = epoch + " " + version + " 4 mode\"" + (version == old ? "old" : "new") + "\"";
            redis.send(Request.cmd(Command.PUBLISH).arg("flotilla:shared:" + name + ":changes").arg(payload))
                    .await(5, TimeUnit.SECONDS);
        }
        Thread.sleep(300);
        assertThat(b.get("mode")).isEqualTo(new Versioned("new", current));
        assertThat(heard).as("nothing heard twice or backwards").hasSize(2);
    }

    @Test
    void aChangeWhoseMessageWasLostIsFoundByThePoll() throws Exception {
        SharedMap a = open(REDIS);
        List<SharedChange> heard = new CopyOnWriteArrayList<>();
        a.onChange(heard::add);
        Redis redis = direct(REDIS);
        // A write that published nothing, as if its message was lost on the way.
        long version = redis.send(Request.cmd(Command.INCR).arg("flotilla:shared:" + name + ":rev"))
                .await(5, TimeUnit.SECONDS).toLong();
        redis.send(Request.cmd(Command.HSET).arg("flotilla:shared:" + name + ":data").arg("flag")
                .arg(version + ":true")).await(5, TimeUnit.SECONDS);
        Eventually.await("the poll notices and loads a snapshot", Duration.ofSeconds(5),
                () -> a.get("flag") != null);
        assertThat(a.get("flag")).isEqualTo(new Versioned(true, version));
        assertThat(heard).containsExactly(new SharedChange("flag", true, version));
    }

    @Test
    void badValuesAndConflictsAreRefusedAndChangeNothing() throws Exception {
        SharedMap a = open(REDIS);
        long v1 = a.put("count", 1).await(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> a.put("count", new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'count'").hasMessageContaining("not a JSON value");
        assertThatThrownBy(() -> a.put("", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shared key name");
        assertThatThrownBy(() -> a.put("big", "x".repeat(SharedMap.MAX_VALUE_BYTES)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than");
        assertThatThrownBy(() -> a.putIfVersion("count", 2, v1 + 100).await(5, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(HttpFailure.class, f -> assertThat(f.status()).isEqualTo(409))
                .hasMessageContaining("version " + v1);
        assertThat(a.putIfVersion("count", 2, v1).await(5, TimeUnit.SECONDS)).isGreaterThan(v1);
        assertThatThrownBy(() -> a.putIfVersion("count", 3, 0).await(5, TimeUnit.SECONDS))
                .as("0 means: only if absent").isInstanceOf(HttpFailure.class);
        assertThat(a.read("count").await(5, TimeUnit.SECONDS).value()).isEqualTo(2);
    }

    /**
     * Seed 002's worry: Redis goes away under a stream of writes. After it returns (empty), every instance
     * must converge on what Redis holds; Socket.IO's Redis adapter silently stops after such a restart.
     */
    @Test
    void afterRedisIsKilledAndReturnsEveryInstanceConvergesOnRedisState() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            SharedMap a = open(redis.url());
            SharedMap b = open(redis.url());
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int i = 0; writing.get(); i++) {
                    try {
                        (i % 2 == 0 ? a : b).put("k" + (i % 10), i).await(2, TimeUnit.SECONDS);
                    } catch (Exception refusedWhileDown) {
                        // expected while Redis is down
                    }
                }
            });
            writer.start();
            try {
                Thread.sleep(500);
                redis.kill();
                Eventually.await("both notice", Duration.ofSeconds(5), () -> !a.inStep() && !b.inStep());
                assertThatThrownBy(() -> a.read("k1").await(5, TimeUnit.SECONDS))
                        .isInstanceOfSatisfying(HttpFailure.class, f -> assertThat(f.status()).isEqualTo(503));
                Thread.sleep(3_000);
                redis.restart();
                Thread.sleep(1_000);
            } finally {
                writing.set(false);
                writer.join();
            }
            long writesStopped = System.nanoTime();
            Redis direct = direct(redis.url());
            Eventually.await("both caches equal Redis", Duration.ofSeconds(10), () -> {
                Map<String, Versioned> stored = stored(direct);
                return a.inStep() && b.inStep() && a.entries().equals(stored) && b.entries().equals(stored);
            });
            System.out.printf("shared map converged %d ms after the last write%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - writesStopped));
            assertThat(a.entries()).isNotEmpty();
        }
    }

    private Map<String, Versioned> stored(Redis redis) {
        try {
            return RedisSharedMap.stored(redis, name).await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Map.of();
        }
    }
}
