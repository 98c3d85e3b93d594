package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API of one registry (in-memory store), spoken to over real HTTP. */
class RegistryApiTest {

    private Vertx vertx;
    private RegistryServer registry;
    private String url;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        registry = RegistryServer.start(vertx, new RegistryOptions().setPort(0)).await(10, TimeUnit.SECONDS);
        url = registry.url();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    static String body(String service, String version, int port) {
        return new JsonObject().put("service", service).put("version", version).put("host", "127.0.0.1")
                .put("port", port).encode();
    }

    @Test
    void prometheusServiceDiscoveryListsEveryInstanceWithItsLabels() {
        Http.put(url + "/v1/instances/users-1", "{\"service\":\"users\",\"version\":\"1.2.0\","
                + "\"host\":\"127.0.0.1\",\"port\":3001,\"zone\":\"eu-1\"}");
        Http.put(url + "/v1/instances/web-1", "{\"service\":\"web\",\"version\":\"2.0.0\",\"host\":\"::1\","
                + "\"port\":4000,\"metadata\":{\"metrics-path\":\"/admin/metrics\"}}");
        Http.put(url + "/v1/instances/web-1/status", "{\"status\":\"DOWN\"}");
        Http.Reply reply = Http.get(url + "/v1/prometheus/targets");
        assertThat(reply.status()).isEqualTo(200);
        JsonArray groups = new JsonArray(reply.body());
        assertThat(groups).hasSize(2);
        JsonObject users = groups.getJsonObject(0).getJsonObject("labels").getString("service").equals("users")
                ? groups.getJsonObject(0) : groups.getJsonObject(1);
        JsonObject web = users == groups.getJsonObject(0) ? groups.getJsonObject(1) : groups.getJsonObject(0);
        assertThat(users.getJsonArray("targets").getList()).containsExactly("127.0.0.1:3001");
        assertThat(users.getJsonObject("labels")).isEqualTo(new JsonObject().put("__metrics_path__", "/metrics")
                .put("service", "users").put("version", "1.2.0").put("instance", "users-1").put("zone", "eu-1"));
        assertThat(web.getJsonArray("targets").getList()).as("an IPv6 host in brackets, DOWN listed too")
                .containsExactly("[::1]:4000");
        assertThat(web.getJsonObject("labels").getString("__metrics_path__")).isEqualTo("/admin/metrics");
    }

    @Test
    void registersThenDiscoversByVersionRangeAndStatus() {
        Http.Reply reply = Http.put(url + "/v1/instances/users-1",
                "{\"service\":\"users\",\"version\":\"1.2.0\",\"host\":\"127.0.0.1\",\"port\":3001,"
                        + "\"metadata\":{\"region\":\"eu\"},\"weight\":3,\"zone\":\"a\",\"ttlSeconds\":20}");
        assertThat(reply.status()).isEqualTo(200);
        JsonObject stored = reply.json().getJsonObject("instance");
        assertThat(stored.getString("status")).isEqualTo("UP");
        assertThat(stored.getJsonObject("metadata").getString("region")).isEqualTo("eu");
        assertThat(reply.json().getJsonObject("lease").getInteger("ttlSeconds")).isEqualTo(20);
        Http.put(url + "/v1/instances/users-2", body("users", "2.0.0", 3002));
        Http.put(url + "/v1/instances/users-3", body("users", "1.4.1", 3003));
        Http.put(url + "/v1/instances/users-3/status", "{\"status\":\"DOWN\"}");

        assertThat(ids(Http.get(url + "/v1/services/users?version=%5E1.2"))).containsExactly("users-1", "users-3");
        assertThat(ids(Http.get(url + "/v1/services/users?version=%5E1.2&status=UP"))).containsExactly("users-1");
        assertThat(ids(Http.get(url + "/v1/services/users?version=%3E%3D1.0%20%3C2"))).containsExactly("users-1", "users-3");
        assertThat(ids(Http.get(url + "/v1/services/users?version=~2.0"))).containsExactly("users-2");
        assertThat(ids(Http.get(url + "/v1/services/users?version=3.x"))).isEmpty();

        JsonObject services = Http.get(url + "/v1/services").json();
        JsonObject users = services.getJsonArray("services").getJsonObject(0);
        assertThat(users.getString("name")).isEqualTo("users");
        assertThat(users.getJsonArray("versions").getList()).containsExactly("1.2.0", "1.4.1", "2.0.0");
        assertThat(users.getJsonObject("instances").getInteger("UP")).isEqualTo(2);
        assertThat(users.getJsonObject("instances").getInteger("DOWN")).isEqualTo(1);
        assertThat(Http.get(url + "/v1/services/nobody").status()).isEqualTo(404);
    }

    @Test
    void sameRegistrationTwiceChangesNothingButTheLease() {
        Http.put(url + "/v1/instances/a-1", body("a", "1.0.0", 4000));
        long revision = Http.get(url + "/v1/services").json().getLong("revision");
        Http.Reply again = Http.put(url + "/v1/instances/a-1", body("a", "1.0.0", 4000));
        assertThat(again.status()).isEqualTo(200);
        assertThat(Http.get(url + "/v1/services").json().getLong("revision")).isEqualTo(revision);

        Http.put(url + "/v1/instances/a-1", body("a", "1.0.1", 4000));
        assertThat(Http.get(url + "/v1/services").json().getLong("revision")).isEqualTo(revision + 1);
        assertThat(Http.get(url + "/v1/instances/a-1").json().getJsonObject("instance").getString("version"))
                .isEqualTo("1.0.1");
    }

    @Test
    void anIdBelongingToAnotherServiceCannotBeTakenOver() {
        Http.put(url + "/v1/instances/shared-id", body("billing", "1.0.0", 4000));
        Http.Reply takeover = Http.put(url + "/v1/instances/shared-id", body("attacker", "1.0.0", 6666));
        assertThat(takeover.status()).isEqualTo(409);
        assertThat(takeover.error()).isEqualTo("conflict");
        assertThat(takeover.message()).contains("belongs to service 'billing'");
        JsonObject kept = Http.get(url + "/v1/instances/shared-id").json().getJsonObject("instance");
        assertThat(kept.getString("service")).isEqualTo("billing");
        assertThat(kept.getInteger("port")).isEqualTo(4000);
    }

    @Test
    void heartbeatStatusAndDeregistration() {
        assertThat(Http.put(url + "/v1/instances/ghost/heartbeat", null).status()).isEqualTo(404);
        Http.put(url + "/v1/instances/a-1", body("a", "1.0.0", 4000));
        Http.Reply heartbeat = Http.put(url + "/v1/instances/a-1/heartbeat", null);
        assertThat(heartbeat.status()).isEqualTo(200);
        assertThat(heartbeat.json().getJsonObject("lease").getLong("expiresAt")).isGreaterThan(System.currentTimeMillis());

        Http.Reply draining = Http.put(url + "/v1/instances/a-1/status", "{\"status\":\"draining\",\"reason\":\"deploy\"}");
        assertThat(draining.json().getJsonObject("instance").getString("status")).isEqualTo("DRAINING");
        assertThat(draining.json().getJsonObject("instance").getString("statusReason")).isEqualTo("deploy");

        assertThat(Http.delete(url + "/v1/instances/a-1").status()).isEqualTo(200);
        assertThat(Http.get(url + "/v1/instances/a-1").status()).isEqualTo(404);
        assertThat(Http.delete(url + "/v1/instances/a-1").status()).isEqualTo(404);
        assertThat(Http.put(url + "/v1/instances/a-1/status", "{\"status\":\"UP\"}").status()).isEqualTo(404);
    }

    @Test
    void healthAndMetricsEndpoints() {
        assertThat(Http.get(url + "/health/live").status()).isEqualTo(200);
        assertThat(Http.get(url + "/health/ready").json().getString("status")).isEqualTo("UP");
        Http.put(url + "/v1/instances/a-1", body("a", "1.0.0", 4000));
        String metrics = Http.get(url + "/metrics").body();
        assertThat(metrics).contains("flotilla_registry_instances{status=\"UP\"} 1.0")
                .contains("flotilla_registry_events_total{type=\"registered\"} 1.0")
                .contains("flotilla_registry_requests_seconds_count{op=\"PUT /v1/instances/:id\",status=\"200\"}");
    }

    @Test
    void unknownEndpointsAnswerJson() {
        Http.Reply reply = Http.get(url + "/v2/nothing");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error()).isEqualTo("not_found");
    }

    private static java.util.List<String> ids(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().getJsonArray("instances").stream().map(i -> ((JsonObject) i).getString("id")).toList();
    }
}
