package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.Registration;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RegistryClient} (flotilla-core) against a real registry, including the registry going away. */
class RegistryClientTest {

    private Vertx vertx;
    private RegistryServer registry;
    private RegistryClient client;
    private int port;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        registry = RegistryServer.start(vertx, new RegistryOptions().setPort(0)).await(10, TimeUnit.SECONDS);
        port = registry.port();
        client = RegistryClient.create(vertx, new RegistryClientOptions(registry.url()).setReconnectBackoff(50, 200));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static Instance instance(String id, int ttl) {
        return Instance.builder(id, "users", "1.0.0").host("127.0.0.1").port(3000).ttlSeconds(ttl)
                .status(InstanceStatus.STARTING).build();
    }

    private void restartRegistry() throws Exception {
        registry.close().await(10, TimeUnit.SECONDS);
        registry = RegistryServer.start(vertx, new RegistryOptions().setPort(port)).await(10, TimeUnit.SECONDS);
    }

    @Test
    void keepsTheLeaseAliveAndDeregistersOnClose() throws Exception {
        Registration registration = client.register(instance("u-1", 1)).await(10, TimeUnit.SECONDS);
        assertThat(registration.instance().status()).isEqualTo(InstanceStatus.STARTING);
        registration.status(InstanceStatus.UP).await(10, TimeUnit.SECONDS);
        Thread.sleep(2500); // well past the 1 s TTL
        List<Instance> found = client.discover("users", "^1", true).await(10, TimeUnit.SECONDS);
        assertThat(found).extracting(Instance::id).containsExactly("u-1");

        client.close().await(10, TimeUnit.SECONDS);
        assertThat(Http.get(registry.url() + "/v1/instances/u-1").status()).isEqualTo(404);
    }

    @Test
    void looksUpOneInstanceByIdAndFailsWith404ForAnUnknownOne() throws Exception {
        client.register(instance("u-1", 30)).await(10, TimeUnit.SECONDS).status(InstanceStatus.UP)
                .await(10, TimeUnit.SECONDS);
        Instance found = client.instance("u-1").await(10, TimeUnit.SECONDS);
        assertThat(found.service()).isEqualTo("users");
        assertThat(found.status()).isEqualTo(InstanceStatus.UP);
        Throwable missing = client.instance("nobody").toCompletionStage().toCompletableFuture()
                .handle((ok, e) -> e).get(10, TimeUnit.SECONDS);
        assertThat(missing).isInstanceOf(HttpFailure.class);
        assertThat(((HttpFailure) missing).status()).isEqualTo(404);
    }

    @Test
    void registersAgainWhenTheRegistryHasForgottenIt() throws Exception {
        Registration registration = client.register(instance("u-1", 1)).await(10, TimeUnit.SECONDS);
        registration.status(InstanceStatus.UP).await(10, TimeUnit.SECONDS);
        restartRegistry(); // in-memory registry: everything is forgotten
        Eventually.await("u-1 registered again", Duration.ofSeconds(10),
                () -> Http.get(registry.url() + "/v1/instances/u-1").status() == 200);
        assertThat(Http.get(registry.url() + "/v1/instances/u-1").json().getJsonObject("instance").getString("status"))
                .as("re-registered with its last status").isEqualTo("UP");
    }

    @Test
    void aWatchFollowsChangesAndResyncsAfterTheRegistryComesBack() throws Exception {
        InstanceWatch watch = client.watch("users");
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        watch.addListener(events::add);
        watch.ready().await(10, TimeUnit.SECONDS);

        Http.put(registry.url() + "/v1/instances/u-1",
                RegistryApiTest.body("users", "1.0.0", 3001).replace("}", ",\"ttlSeconds\":2}"));
        Http.put(registry.url() + "/v1/instances/o-1", RegistryApiTest.body("orders", "1.0.0", 3002));
        Eventually.await("u-1 in the cache", Duration.ofSeconds(5), () -> watch.instances("users").size() == 1);
        assertThat(watch.instances("orders")).isEmpty();

        // The registry comes back empty: u-1 may be about to register again, so it stays for its 2 s lease.
        restartRegistry();
        Http.put(registry.url() + "/v1/instances/u-2", RegistryApiTest.body("users", "1.0.0", 3003));
        Eventually.await("u-2 in the cache", Duration.ofSeconds(10), () -> watch.instances("users").size() == 2);
        Eventually.await("u-1 expired", Duration.ofSeconds(10), () -> watch.instances("users").stream()
                .map(Instance::id).toList().equals(List.of("u-2")));
        assertThat(events).extracting(e -> e.type() + " " + e.instance().id())
                .containsExactly("REGISTERED u-1", "REGISTERED u-2", "EXPIRED u-1");
        assertThat(watch.connected()).isTrue();
        watch.close();
    }
}
