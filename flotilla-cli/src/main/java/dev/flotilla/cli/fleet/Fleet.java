package dev.flotilla.cli.fleet;

import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.trace.TraceSettings;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.dashboard.DashboardOptions;
import dev.flotilla.dashboard.traces.TraceStore;
import dev.flotilla.gateway.GatewayOptions;
import dev.flotilla.gateway.GatewayServer;
import dev.flotilla.gateway.RouteSpec;
import dev.flotilla.gateway.RoutesConfig;
import dev.flotilla.messaging.Transports;
import dev.flotilla.messaging.rabbit.EmbeddedRabbit;
import dev.flotilla.registry.RegistryOptions;
import dev.flotilla.registry.RegistryOptions.PrometheusTarget;
import dev.flotilla.registry.RegistryServer;
import dev.flotilla.supervisor.AppSpec;
import dev.flotilla.supervisor.ControlServer;
import dev.flotilla.supervisor.Supervisor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole fleet on this machine from one {@code flotilla.yaml}: an embedded Redis (a supervised
 * {@code redis-server}) unless the file names one, the control plane in this process (the registry, the
 * gateway, the dashboard with its trace store and alert rules), and the apps as supervised processes, which
 * send their spans to the dashboard and write JSON log lines. Stops in reverse order.
 */
public final class Fleet implements AutoCloseable {

    /** A reason the fleet cannot start, said so that the user knows what to change. */
    public static final class StartFailure extends Exception {
        public StartFailure(String message) {
            super(message);
        }
    }

    /** The control plane keeps this many recent traces, of at most this many spans each, for its dashboard. */
    private static final int KEPT_TRACES = 1000;
    private static final int KEPT_SPANS = 500;

    private final Path workDirectory;
    private final TraceStore traces = new TraceStore(KEPT_TRACES, KEPT_SPANS);
    private final Tracing tracing;
    private final Vertx vertx;
    private Dashboard dashboard;
    private RegistryServer registry;
    private RegistryClient registryClient;
    private GatewayServer gateway;
    private Supervisor supervisor;
    private ControlServer control;
    private String redisUrl;
    private String amqpUrl;

    private Fleet(Path workDirectory, FleetFile spec) {
        this.workDirectory = workDirectory;
        // The gateway's spans go straight into the trace store (and to the collector, if any); the registry's
        // and the dashboard's own traffic is not traced.
        this.tracing = Tracing.create(new TraceSettings(true, null, spec.otlp(), spec.traceSample()), "gateway",
                Fleet.class.getPackage().getImplementationVersion(), "gateway", traces.exporter());
        this.vertx = tracing.vertx(new VertxOptions().setPreferNativeTransport(true));
    }

    /** Where a fleet file's runtime files live: logs, the control socket, the extracted redis-server. */
    public static Path workDirectory(Path fleetFile) {
        return fleetFile.toAbsolutePath().getParent().resolve(".flotilla");
    }

    /** Where a running fleet keeps the environment it gave its apps (for the CLI's dlq and saga commands). */
    public static Path environmentFile(Path fleetFile) {
        return workDirectory(fleetFile).resolve("environment.json");
    }

    public static Path controlSocket(Path fleetFile) {
        return workDirectory(fleetFile).resolve("control.sock");
    }

    /** Checks every port the fleet needs before anything starts. */
    public static void preflight(FleetFile spec) throws StartFailure {
        Map<Integer, String> ports = new LinkedHashMap<>();
        ports.put(spec.registry().port(), "registry.port");
        ports.put(spec.gateway().port(), "gateway.port");
        ports.put(spec.gateway().adminPort(), "gateway.admin-port");
        if (spec.dashboard().port() != 0) {
            ports.put(spec.dashboard().port(), "dashboard.port");
        }
        for (AppSpec app : spec.apps()) {
            if (app.port() != null) {
                int count = app.cluster() ? 1 : Math.max(1, app.instanceCount());
                for (int i = 0; i < count; i++) {
                    String owner = "port of app '" + app.name() + "'" + (count > 1 ? " (instance " + i + ")" : "");
                    String clash = ports.putIfAbsent(app.port() + i, owner);
                    if (clash != null) {
                        throw new StartFailure("port " + (app.port() + i) + " is both the " + clash + " and the "
                                + owner + "; give them different ports in flotilla.yaml");
                    }
                }
            }
        }
        for (Map.Entry<Integer, String> port : ports.entrySet()) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress("127.0.0.1", port.getKey()));
            } catch (IOException e) {
                throw new StartFailure("port " + port.getKey() + " (" + port.getValue() + ") is already in use; "
                        + "stop what uses it (is another fleet up? try: flotilla down) or change "
                        + port.getValue() + " in flotilla.yaml");
            }
        }
    }

    /** Starts everything and waits until every app is ready (or {@code readyLimit} passes). */
    public static Fleet start(Path fleetFile, FleetFile spec, PrintStream merged, Runnable down,
            Duration readyLimit) throws Exception {
        preflight(spec);
        Fleet fleet = new Fleet(workDirectory(fleetFile), spec);
        try {
            fleet.startAll(fleetFile, spec, merged, down, readyLimit);
            return fleet;
        } catch (Exception e) {
            fleet.close();
            throw e;
        }
    }

    private Path fleetFile;

    private void startAll(Path fleetFile, FleetFile spec, PrintStream merged, Runnable down, Duration readyLimit)
            throws Exception {
        this.fleetFile = fleetFile;
        int dashboardPort = spec.dashboard().port() == 0 ? freePort() : spec.dashboard().port();
        String dashboardUrl = "http://127.0.0.1:" + dashboardPort;
        registry = RegistryServer.start(vertx, new RegistryOptions().setPort(spec.registry().port())
                        .setPrometheusTargets(List.of(
                                new PrometheusTarget("127.0.0.1:" + spec.registry().port(), "/metrics",
                                        "flotilla-registry"),
                                new PrometheusTarget("127.0.0.1:" + spec.gateway().adminPort(), "/metrics",
                                        "flotilla-gateway"),
                                new PrometheusTarget("127.0.0.1:" + dashboardPort, "/metrics",
                                        "flotilla-supervisor"))))
                .await(30, TimeUnit.SECONDS);
        registryClient = RegistryClient.create(vertx, new RegistryClientOptions(registry.url()));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FLOTILLA_REGISTRY", registry.url());
        env.put(TraceSettings.TRACES, dashboardUrl + "/v1/traces");
        if (spec.otlp() != null) {
            env.put(TraceSettings.OTLP, spec.otlp());
        }
        env.put(TraceSettings.SAMPLE, Double.toString(spec.traceSample()));
        env.put("FLOTILLA_LOG_FORMAT", "json"); // the log files are searched by field: flotilla logs --trace
        int redisPort = 0;
        if (spec.redis().equals("embedded")) {
            redisPort = freePort();
            redisUrl = "redis://127.0.0.1:" + redisPort;
        } else {
            redisUrl = spec.redis();
        }
        env.put("FLOTILLA_REDIS", redisUrl);
        EmbeddedRabbit rabbit = null;
        if (spec.amqp().equals("embedded")) {
            Path executable = EmbeddedRabbit.executable();
            if (executable != null) {
                rabbit = EmbeddedRabbit.at(executable, workDirectory.resolve("rabbitmq"), freePort(), freePort());
            }
            amqpUrl = rabbit == null ? Transports.REDIS : rabbit.uri();
        } else {
            amqpUrl = spec.amqp();
        }
        env.put("FLOTILLA_AMQP", amqpUrl);
        Files.createDirectories(workDirectory);
        Files.writeString(environmentFile(fleetFile), new JsonObject().put("FLOTILLA_REDIS", redisUrl)
                .put("FLOTILLA_AMQP", amqpUrl).encodePrettily());
        supervisor = new Supervisor(fleetFile.toAbsolutePath().getParent(), workDirectory.resolve("logs"), env,
                registryClient, merged);
        if (redisPort != 0) {
            supervisor.start(new AppSpec("redis", null, null, EmbeddedRedis.command(workDirectory, redisPort,
                    amqpUrl.equals(Transports.REDIS)), null,
                    null, "1", "fork", null, null, null, null, null, false, null, null, null, null, null, false),
                    EmbeddedRedis::worthShowing);
        }
        if (rabbit != null) {
            // Its start overlaps Redis's and the gateway's; only its notices and errors reach the terminal.
            supervisor.start(new AppSpec("rabbitmq", null, null, rabbit.command(), null, null, "1", "fork", null,
                    rabbit.environment(), null, null, null, false, null, null, null, null, null, false),
                    line -> line.contains("[error]") || line.contains("[warning]"));
        }
        if (redisPort != 0) {
            awaitPort(redisPort, Duration.ofSeconds(10), "the embedded redis-server");
            supervisor.awaitReady("redis", Duration.ofSeconds(1));
        }
        FleetFile.Gateway gatewaySpec = spec.gateway();
        gateway = GatewayServer.start(vertx, new GatewayOptions().setPort(gatewaySpec.port())
                        .setAdminPort(gatewaySpec.adminPort()).setRegistryUrl(registry.url())
                        .setRedisUrl(redisUrl).setRoutes(new RoutesConfig(gatewaySpec.routes()))
                        .setH2c(gatewaySpec.h2c())
                        .setTls(gatewaySpec.tls() == null ? null
                                : gatewaySpec.tls().options(fleetFile.toAbsolutePath().getParent())))
                .await(30, TimeUnit.SECONDS);
        dashboard = Dashboard.start(vertx, new DashboardOptions("127.0.0.1", dashboardPort,
                spec.dashboard().token(), spec.alerts(), spec.alertWebhook()), registryClient, gateway, supervisor,
                traces).await(30, TimeUnit.SECONDS);
        // The apps start while the broker is still starting (services wait for it: Transports.BROKER_WAIT), and
        // the fleet is reported up only once it listens too.
        for (AppSpec app : spec.apps()) {
            supervisor.start(app);
        }
        if (rabbit != null) {
            awaitPort(rabbit.port(), Duration.ofSeconds(90), "the embedded rabbitmq-server");
        }
        control = new ControlServer(controlSocket(fleetFile), supervisor, down, name -> spec.apps().stream()
                .filter(app -> app.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "no app named '" + name + "' in " + fleetFile + " (an ad-hoc one: flotilla start -- CMD)")));
        KnownFleets.running(fleetFile);
        long deadline = System.nanoTime() + readyLimit.toNanos();
        List<String> late = new ArrayList<>();
        for (AppSpec app : spec.apps()) {
            if (!supervisor.awaitReady(app.name(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                String failure = supervisor.failure(app.name());
                if (failure != null) {
                    throw new StartFailure("app '" + app.name() + "' could not start: " + failure);
                }
                late.add(app.name());
            }
        }
        if (!late.isEmpty()) {
            throw new StartFailure("not ready within " + readyLimit.toSeconds() + " s: " + String.join(", ", late)
                    + "; see " + workDirectory.resolve("logs"));
        }
        dashboard.startAlerting();
    }

    public String gatewayUrl() {
        return gateway.url();
    }

    public String dashboardUrl() {
        return dashboard.url();
    }

    public int gatewayAdminPort() {
        return gateway.adminPort();
    }

    public String registryUrl() {
        return registry.url();
    }

    public String redisUrl() {
        return redisUrl;
    }

    /** The broker the apps use ({@code FLOTILLA_AMQP}): an {@code amqp://} URI, or {@code redis} for Redis Streams. */
    public String amqpUrl() {
        return amqpUrl;
    }

    /** What to try first: the file's {@code try} paths, else one curl per route. */
    public static List<String> tryCommands(FleetFile spec, String gatewayUrl) {
        List<String> commands = new ArrayList<>();
        if (!spec.tryPaths().isEmpty()) {
            spec.tryPaths().forEach(path -> commands.add("curl " + gatewayUrl + path));
            return commands;
        }
        for (RouteSpec route : spec.gateway().routes()) {
            String path = route.path().endsWith("/**") ? route.path().substring(0, route.path().length() - 3)
                    : route.path();
            commands.add("curl " + gatewayUrl + (path.isEmpty() ? "/" : path));
        }
        return commands;
    }

    private static void awaitPort(int port, Duration limit, String what) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new StartFailure(what + " did not listen on port " + port + " within " + limit.toSeconds() + " s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the apps (last first), the gateway, the registry, then Redis and RabbitMQ. */
    @Override
    public void close() {
        if (supervisor != null) {
            // Every app drains at once (each finishes its own requests in flight), as PM2 stops all: one by
            // one would add a drain per app. Redis goes last, once nothing uses it.
            List<String> apps = new ArrayList<>(supervisor.appNames());
            apps.remove("redis");
            apps.remove("rabbitmq");
            supervisor.stopTogether(apps);
        }
        try {
            if (dashboard != null) {
                dashboard.close().await(5, TimeUnit.SECONDS);
            }
            if (gateway != null) {
                gateway.close().await(10, TimeUnit.SECONDS);
            }
            if (registryClient != null) {
                registryClient.close().await(5, TimeUnit.SECONDS);
            }
            if (registry != null) {
                registry.close().await(10, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // closing anyway
        }
        if (supervisor != null) {
            supervisor.close();
        }
        if (fleetFile != null) {
            KnownFleets.stopped(fleetFile);
            try {
                Files.deleteIfExists(environmentFile(fleetFile));
            } catch (IOException ignored) {
                // a stale file is ignored: the CLI reads it only while the fleet answers
            }
        }
        try {
            if (control != null) {
                control.close(); // last, so that `flotilla down` returns once everything has stopped
            }
        } catch (IOException ignored) {
            // the socket file is gone already
        }
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
        tracing.close();
    }
}
