package dev.flotilla.cli;

import dev.flotilla.core.config.ConfigException;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.gateway.GatewayOptions;
import dev.flotilla.gateway.GatewayServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flotilla gateway}: runs the load-balancing reverse proxy until SIGTERM or Ctrl-C. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the gateway: a load-balancing reverse proxy fed by the registry.")
final class GatewayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--admin-port", defaultValue = "8081",
            description = "Port of /admin/routes, /admin/upstreams and /metrics, on loopback "
                    + "(default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--registry", required = true, defaultValue = "${env:FLOTILLA_REGISTRY}",
            description = "The registry's URL, e.g. http://127.0.0.1:7070 (default: $FLOTILLA_REGISTRY).")
    String registry;

    @Option(names = "--routes", description = "YAML routes file, reloaded when it changes.")
    Path routes;

    @Option(names = "--redis", defaultValue = "${env:FLOTILLA_REDIS}",
            description = "redis://HOST:PORT for rate limits shared by every gateway (default: $FLOTILLA_REDIS).")
    String redis;

    @Option(names = "--token", defaultValue = "${env:FLOTILLA_TOKEN}",
            description = "Token for the registry and for the admin endpoints (default: $FLOTILLA_TOKEN).")
    String token;

    @Override
    public Integer call() throws Exception {
        GatewayOptions options;
        try {
            options = new GatewayOptions().setHost(host).setPort(port).setAdminPort(adminPort)
                    .setRegistryUrl(registry).setRoutesFile(routes).setRedisUrl(redis).setToken(token);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("flotilla gateway: " + e.getMessage());
            return 2;
        }
        Tracing tracing;
        try {
            tracing = Tracing.fromEnvironment("gateway", Flotilla.class.getPackage().getImplementationVersion(),
                    "gateway-" + ProcessHandle.current().pid());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("flotilla gateway: " + e.getMessage());
            return 2;
        }
        // Traced (FLOTILLA_TRACES, FLOTILLA_OTLP, FLOTILLA_TRACE_SAMPLE) unless FLOTILLA_TRACING=off.
        return ServerRun.untilSignalled(spec, "gateway", "--port or --admin-port", tracing, vertx ->
                GatewayServer.start(vertx, options).map(server -> new ServerRun.Started(server.url(), server::close)));
    }
}
