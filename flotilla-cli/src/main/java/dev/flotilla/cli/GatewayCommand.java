package dev.flotilla.cli;

import dev.flotilla.core.config.ConfigException;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.gateway.GatewayOptions;
import dev.flotilla.gateway.GatewayServer;
import dev.flotilla.gateway.TlsOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--tls-port", defaultValue = "8443",
            description = "HTTPS port, with --tls-cert and --tls-key (default: ${DEFAULT-VALUE}).")
    int tlsPort;

    @Option(names = "--tls-cert", description = "PEM certificate chain; repeat with --tls-key for more names (SNI).")
    List<Path> tlsCerts = new ArrayList<>();

    @Option(names = "--tls-key", description = "PEM private key of the --tls-cert in the same position.")
    List<Path> tlsKeys = new ArrayList<>();

    @Option(names = "--tls-engine", defaultValue = "auto",
            description = "auto (OpenSSL when it loads, else the JDK), openssl or jdk (default: ${DEFAULT-VALUE}).")
    String tlsEngine;

    @Option(names = "--redirect-http", description = "Answer plain HTTP with a redirect to HTTPS (308).")
    boolean redirectHttp;

    @Option(names = "--event-loops", description = "Event loops serving requests, as nginx's worker_processes "
            + "(default: one per core).")
    Integer eventLoops;

    @Option(names = "--h2c", description = "Also take HTTP/2 with prior knowledge on the plain port.")
    boolean h2c;

    @Override
    public Integer call() throws Exception {
        GatewayOptions options;
        try {
            options = new GatewayOptions().setHost(host).setPort(port).setAdminPort(adminPort)
                    .setRegistryUrl(registry).setRoutesFile(routes).setRedisUrl(redis).setToken(token).setH2c(h2c);
            if (eventLoops != null) {
                options.setEventLoops(eventLoops);
            }
            if (tlsCerts.size() != tlsKeys.size()) {
                throw new IllegalArgumentException("--tls-cert given " + tlsCerts.size() + " times, --tls-key "
                        + tlsKeys.size() + " (expected: one key per certificate)");
            }
            if (!tlsCerts.isEmpty()) {
                TlsOptions tls = new TlsOptions().setPort(tlsPort).setRedirectHttp(redirectHttp)
                        .setEngine(TlsOptions.Engine.parse(tlsEngine));
                for (int i = 0; i < tlsCerts.size(); i++) {
                    tls.addCertificate(tlsCerts.get(i), tlsKeys.get(i));
                }
                options.setTls(tls);
            } else if (redirectHttp) {
                throw new IllegalArgumentException("--redirect-http needs --tls-cert and --tls-key");
            }
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
