package dev.flotilla.cli.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flotilla.core.config.YamlConfig;
import dev.flotilla.dashboard.alerts.AlertRule;
import dev.flotilla.gateway.RouteSpec;
import dev.flotilla.gateway.RoutesConfig;
import dev.flotilla.gateway.TlsOptions;
import dev.flotilla.supervisor.AppSpec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code flotilla.yaml}: one file for a whole fleet.
 * <pre>
 * redis: embedded            # or redis://HOST:PORT
 * amqp: embedded             # rabbitmq-server from PATH, else Redis Streams; or redis; or amqp://...
 *                            # handed to instances as FLOTILLA_AMQP
 * registry: {port: 7070}
 * gateway:
 *   port: 8080
 *   admin-port: 8081
 *   routes: [...]            # the gateway's routes, as in a routes file
 *   tls:                     # HTTPS (and HTTP/2 by ALPN) on a port of its own; paths are relative to this file
 *     port: 8443
 *     certificates: [{cert: tls/site.pem, key: tls/site.key}]   # several: chosen by SNI, the first by default
 *     redirect-http: false   # answer plain HTTP with a 308 to HTTPS
 *     engine: auto           # OpenSSL when it loads, else the JDK; or openssl, or jdk
 *   h2c: false               # also take HTTP/2 with prior knowledge on the plain port
 * apps: [...]                # see AppSpec
 * try: [/api/users]          # paths through the gateway that `up` suggests once ready (default: the routes)
 * dashboard: {port: 7071}    # the control plane's dashboard (default: a free port, printed by up); a token:
 *                            # allows its actions (drain, reload)
 * otlp: http://HOST:4318     # also export every process's spans to this OpenTelemetry collector (OTLP/HTTP)
 * trace-sample: 1           # the share of requests traced, 0 to 1 (FLOTILLA_TRACE_SAMPLE of every process)
 * alerts: [...]              # alert rules evaluated by the control plane: see AlertRule
 * alert-webhook: URL         # where firing and resolved alerts are POSTed (Alertmanager's webhook shape)
 * </pre>
 */
public record FleetFile(String redis, String amqp, Registry registry, Gateway gateway, List<AppSpec> apps,
        @JsonProperty("try") List<String> tryPaths, Dashboard dashboard, String otlp, Double traceSample,
        List<AlertRule> alerts, String alertWebhook) {

    public FleetFile {
        redis = redis == null ? "embedded" : redis;
        if (!redis.equals("embedded") && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw new IllegalArgumentException("redis: '" + redis + "' (expected embedded or redis://HOST:PORT)");
        }
        amqp = amqp == null ? "embedded" : amqp;
        if (!amqp.equals("embedded") && !amqp.equals("redis") && !amqp.startsWith("amqp://")
                && !amqp.startsWith("amqps://")) {
            throw new IllegalArgumentException("amqp: '" + amqp + "' (expected embedded, redis or amqp://HOST:PORT)");
        }
        registry = registry == null ? new Registry(null) : registry;
        gateway = gateway == null ? new Gateway(null, null, null, null, null) : gateway;
        apps = apps == null ? List.of() : List.copyOf(apps);
        tryPaths = tryPaths == null ? List.of() : List.copyOf(tryPaths);
        dashboard = dashboard == null ? new Dashboard(null, null) : dashboard;
        if (otlp != null && !otlp.startsWith("http://") && !otlp.startsWith("https://")) {
            throw new IllegalArgumentException("otlp: '" + otlp + "' (expected a collector's OTLP/HTTP URL, e.g."
                    + " http://127.0.0.1:4318)");
        }
        traceSample = traceSample == null ? 1 : traceSample;
        if (!(traceSample >= 0 && traceSample <= 1)) {
            throw new IllegalArgumentException("trace-sample: " + traceSample + " (expected a share from 0 to 1)");
        }
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        Set<String> alertNames = new HashSet<>();
        for (AlertRule rule : alerts) {
            if (!alertNames.add(rule.name())) {
                throw new IllegalArgumentException("alerts: the name '" + rule.name() + "' is used twice");
            }
        }
        if (alertWebhook != null && !alertWebhook.startsWith("http://") && !alertWebhook.startsWith("https://")) {
            throw new IllegalArgumentException("alert-webhook: '" + alertWebhook + "' (expected an http:// URL)");
        }
        Set<String> names = new HashSet<>(Set.of("redis", "rabbitmq"));
        for (AppSpec app : apps) {
            if (!names.add(app.name())) {
                throw new IllegalArgumentException("apps: the name '" + app.name() + "' is used twice"
                        + (app.name().equals("redis") || app.name().equals("rabbitmq")
                                ? " ('" + app.name() + "' is the embedded one)" : ""));
            }
        }
    }

    /** The registry's settings. */
    public record Registry(Integer port) {
        public Registry {
            port = port == null ? 7070 : port;
        }
    }

    /**
     * The control plane's dashboard: its port (0, the default: a free one), and the token that allows its
     * actions (none: read-only).
     */
    public record Dashboard(Integer port, String token) {
        public Dashboard {
            port = port == null ? 0 : port;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("dashboard.port: " + port + " (expected 0..65535)");
            }
        }
    }

    /** The gateway's settings and routes. */
    public record Gateway(Integer port, Integer adminPort, List<RouteSpec> routes, Tls tls, Boolean h2c) {
        public Gateway {
            port = port == null ? 8080 : port;
            adminPort = adminPort == null ? 8081 : adminPort;
            routes = routes == null ? List.of() : List.copyOf(routes);
            new RoutesConfig(routes); // checks ids are unique
            h2c = h2c != null && h2c;
        }
    }

    /** The gateway's HTTPS port and certificates. */
    public record Tls(Integer port, List<CertificateFiles> certificates, Boolean redirectHttp, String engine) {
        public Tls {
            port = port == null ? 8443 : port;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("gateway.tls.port: " + port + " (expected 0..65535)");
            }
            if (certificates == null || certificates.isEmpty()) {
                throw new IllegalArgumentException("gateway.tls.certificates: missing (expected: [{cert: FILE, "
                        + "key: FILE}])");
            }
            certificates = List.copyOf(certificates);
            redirectHttp = redirectHttp != null && redirectHttp;
            engine = engine == null ? "auto" : engine;
            TlsOptions.Engine.parse(engine);
        }

        /** The gateway's TLS options, with the files resolved against {@code base} (the fleet file's folder). */
        public TlsOptions options(Path base) {
            TlsOptions options = new TlsOptions().setPort(port).setRedirectHttp(redirectHttp)
                    .setEngine(TlsOptions.Engine.parse(engine));
            certificates.forEach(c -> options.addCertificate(base.resolve(c.cert()), base.resolve(c.key())));
            return options;
        }
    }

    /** One PEM certificate chain and its key. */
    public record CertificateFiles(String cert, String key) {
        public CertificateFiles {
            if (cert == null || key == null) {
                throw new IllegalArgumentException("gateway.tls.certificates: cert '" + cert + "', key '" + key
                        + "' (expected both)");
            }
        }
    }

    public static FleetFile read(Path file) {
        return YamlConfig.read(file, FleetFile.class);
    }
}
