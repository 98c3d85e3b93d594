package dev.flotilla.cli;

import dev.flotilla.gateway.GatewayOptions;
import dev.flotilla.gateway.GatewayServer;
import dev.flotilla.gateway.RoutesConfig;
import dev.flotilla.registry.RegistryOptions;
import dev.flotilla.registry.RegistryServer;
import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.RunningService;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla warm-up} (hidden): starts a registry, a service and a gateway in one process on free
 * loopback ports, sends a request through all three, and stops. {@code ./flotilla} runs it once per
 * built jar under {@code -XX:ArchiveClassesAtExit}, so that the classes every server loads are kept in
 * a class-data archive and later start-ups skip loading and verifying them (about half the time to
 * "listening" on this machine).
 */
@Command(name = "warm-up", hidden = true, description = "Run a registry, a service and a gateway once, then stop.")
final class WarmUpCommand implements Callable<Integer> {

    private static final long LIMIT_SECONDS = 30;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        RegistryServer registry = null;
        RunningService service = null;
        GatewayServer gateway = null;
        try {
            registry = RegistryServer.start(vertx, new RegistryOptions().setPort(0))
                    .await(LIMIT_SECONDS, TimeUnit.SECONDS);
            service = FlotillaService.named("warm-up", "1.0.0").port(0).registry(registry.url())
                    .drainGrace(Duration.ZERO).drainTimeout(Duration.ofSeconds(1))
                    .routes(router -> router.get("/hello").handler(ctx -> ctx.json(new JsonObject().put("ok", true))))
                    .start().await(LIMIT_SECONDS, TimeUnit.SECONDS);
            gateway = GatewayServer.start(vertx, new GatewayOptions().setPort(0).setAdminPort(0)
                            .setRegistryUrl(registry.url()).setRoutes(RoutesConfig.parse("warm-up",
                                    "routes:\n  - path: /api/**\n    service: warm-up\n    strip-prefix: true\n")))
                    .await(LIMIT_SECONDS, TimeUnit.SECONDS);
            HttpClient client = vertx.createHttpClient();
            String url = gateway.url() + "/api/hello";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                // 503 until the registry has pushed the service's UP to the gateway
                status = client.request(new RequestOptions().setAbsoluteURI(url))
                        .compose(HttpClientRequest::send)
                        .compose(response -> response.body().map(body -> response.statusCode()))
                        .await(LIMIT_SECONDS, TimeUnit.SECONDS);
                if (status != 200) {
                    Thread.sleep(20);
                }
            }
            if (status != 200) {
                spec.commandLine().getErr().println("flotilla warm-up: no 200 through the gateway (last: "
                        + status + ")");
                return 1;
            }
            return 0;
        } finally {
            if (gateway != null) {
                gateway.close().await(LIMIT_SECONDS, TimeUnit.SECONDS);
            }
            if (service != null) {
                service.close().await(LIMIT_SECONDS, TimeUnit.SECONDS);
            }
            if (registry != null) {
                registry.close().await(LIMIT_SECONDS, TimeUnit.SECONDS);
            }
            vertx.close().await(LIMIT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
