package dev.flotilla.cli;

import dev.flotilla.registry.HealthCheckConfig;
import dev.flotilla.registry.RegistryOptions;
import dev.flotilla.registry.RegistryServer;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flotilla registry}: runs the service registry until it gets SIGTERM or Ctrl-C. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Run the service registry (control plane).")
final class RegistryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = RegistryOptions.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Anything but loopback needs --token.")
    String host;

    @Option(names = "--port", defaultValue = "" + RegistryOptions.DEFAULT_PORT,
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--redis", description = "redis://HOST:PORT to share state with other registries "
            + "(default: in memory).")
    String redis;

    @Option(names = "--redis-prefix", defaultValue = RegistryOptions.DEFAULT_REDIS_PREFIX,
            description = "Prefix of the registry's Redis keys (default: ${DEFAULT-VALUE}).")
    String redisPrefix;

    @Option(names = "--token", defaultValue = "${env:FLOTILLA_TOKEN}",
            description = "Bearer token every write must present (default: $FLOTILLA_TOKEN).")
    String token;

    @Option(names = "--check-interval", defaultValue = "500",
            description = "Milliseconds between health checks of one instance (default: ${DEFAULT-VALUE}).")
    long checkIntervalMs;

    @Option(names = "--check-timeout", defaultValue = "400",
            description = "Milliseconds before a health check fails (default: ${DEFAULT-VALUE}).")
    long checkTimeoutMs;

    @Option(names = "--fall", defaultValue = "2",
            description = "Failed checks in a row that mark an instance DOWN (default: ${DEFAULT-VALUE}).")
    int fall;

    @Option(names = "--rise", defaultValue = "2",
            description = "Passed checks in a row that bring it UP again (default: ${DEFAULT-VALUE}).")
    int rise;

    @Override
    public Integer call() throws Exception {
        RegistryOptions options;
        try {
            options = new RegistryOptions()
                    .setHost(host)
                    .setPort(port)
                    .setRedisUrl(redis)
                    .setRedisPrefix(redisPrefix)
                    .setToken(token)
                    .setHealthCheck(HealthCheckConfig.custom()
                            .interval(Duration.ofMillis(checkIntervalMs))
                            .timeout(Duration.ofMillis(checkTimeoutMs))
                            .fall(fall)
                            .rise(rise)
                            .build());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("flotilla registry: " + e.getMessage());
            return 2;
        }
        return ServerRun.untilSignalled(spec, "registry", "--port", vertx ->
                RegistryServer.start(vertx, options).map(server -> new ServerRun.Started(server.url(), server::close)));
    }
}
