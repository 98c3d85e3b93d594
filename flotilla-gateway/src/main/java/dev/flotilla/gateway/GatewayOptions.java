package dev.flotilla.gateway;

import java.nio.file.Path;

/**
 * How a gateway runs. Mutable options object; {@link GatewayServer#start} copies what it needs.
 * Defaults follow nginx where it has an equivalent.
 */
public final class GatewayOptions {

    /** Streams an HTTP/2 client may have open at once on one connection (nginx's http2_max_concurrent_streams). */
    public static final int DEFAULT_HTTP2_MAX_STREAMS = 128;
    /**
     * Streams an HTTP/2 client may reset in a minute before its connection is closed: the defence against the
     * rapid-reset attack (CVE-2023-44487), where a client opens and cancels streams faster than they are served.
     */
    public static final int DEFAULT_HTTP2_MAX_RESETS_PER_MINUTE = 400;

    private String host = "127.0.0.1";
    private int port = 8080;
    private String adminHost = "127.0.0.1";
    private int adminPort = 8081;
    private String registryUrl;
    private String token;
    private Path routesFile;
    private RoutesConfig routes;
    private String redisUrl;
    private String redisPrefix = "flotilla:gateway:";
    private long headerTimeoutMs = 15_000;
    private long bodyIdleTimeoutMs = 30_000;
    private int maxHeaderBytes = 8 * 1024;
    private int maxRequestLineBytes = 8 * 1024;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private int maxConnectionsPerInstance = 256;
    private int upstreamKeepAliveSeconds = 4;
    private long routesCheckMs = 500;
    private long registryWaitMs = 5_000;
    private TlsOptions tls;
    private boolean h2c;
    private int http2MaxStreams = DEFAULT_HTTP2_MAX_STREAMS;
    private int http2MaxResetsPerMinute = DEFAULT_HTTP2_MAX_RESETS_PER_MINUTE;

    public String getHost() {
        return host;
    }

    public GatewayOptions setHost(String host) {
        this.host = host;
        return this;
    }

    public int getPort() {
        return port;
    }

    /** The public port; 0 picks a free one. */
    public GatewayOptions setPort(int port) {
        this.port = checkPort("port", port);
        return this;
    }

    public String getAdminHost() {
        return adminHost;
    }

    public GatewayOptions setAdminHost(String adminHost) {
        this.adminHost = adminHost;
        return this;
    }

    public int getAdminPort() {
        return adminPort;
    }

    /** The port of {@code /admin/routes}, {@code /admin/upstreams} and {@code /metrics}; 0 picks a free one. */
    public GatewayOptions setAdminPort(int adminPort) {
        this.adminPort = checkPort("admin port", adminPort);
        return this;
    }

    public String getRegistryUrl() {
        return registryUrl;
    }

    public GatewayOptions setRegistryUrl(String registryUrl) {
        this.registryUrl = registryUrl;
        return this;
    }

    public String getToken() {
        return token;
    }

    /** When set, the admin endpoints require {@code Authorization: Bearer TOKEN}. */
    public GatewayOptions setToken(String token) {
        this.token = token;
        return this;
    }

    public Path getRoutesFile() {
        return routesFile;
    }

    /** A YAML routes file, watched and reloaded when it changes. */
    public GatewayOptions setRoutesFile(Path routesFile) {
        this.routesFile = routesFile;
        return this;
    }

    public RoutesConfig getRoutes() {
        return routes;
    }

    /** Routes given in code, used when there is no routes file. */
    public GatewayOptions setRoutes(RoutesConfig routes) {
        this.routes = routes;
        return this;
    }

    public String getRedisUrl() {
        return redisUrl;
    }

    /** Redis for rate limits shared by every gateway ({@code shared: true}). */
    public GatewayOptions setRedisUrl(String redisUrl) {
        this.redisUrl = redisUrl;
        return this;
    }

    public String getRedisPrefix() {
        return redisPrefix;
    }

    public GatewayOptions setRedisPrefix(String redisPrefix) {
        this.redisPrefix = redisPrefix;
        return this;
    }

    public long getHeaderTimeoutMs() {
        return headerTimeoutMs;
    }

    /** How long a client may take to send a request's headers, and how long an idle keep-alive connection lasts. */
    public GatewayOptions setHeaderTimeoutMs(long headerTimeoutMs) {
        this.headerTimeoutMs = positive("header timeout", headerTimeoutMs);
        return this;
    }

    public long getBodyIdleTimeoutMs() {
        return bodyIdleTimeoutMs;
    }

    /** How long a request body may stop arriving before the request is answered 408. */
    public GatewayOptions setBodyIdleTimeoutMs(long bodyIdleTimeoutMs) {
        this.bodyIdleTimeoutMs = positive("body idle timeout", bodyIdleTimeoutMs);
        return this;
    }

    public int getMaxHeaderBytes() {
        return maxHeaderBytes;
    }

    public GatewayOptions setMaxHeaderBytes(int maxHeaderBytes) {
        this.maxHeaderBytes = (int) positive("max header bytes", maxHeaderBytes);
        return this;
    }

    public int getMaxRequestLineBytes() {
        return maxRequestLineBytes;
    }

    public GatewayOptions setMaxRequestLineBytes(int maxRequestLineBytes) {
        this.maxRequestLineBytes = (int) positive("max request line bytes", maxRequestLineBytes);
        return this;
    }

    public int getEventLoops() {
        return eventLoops;
    }

    /** How many event loops serve requests (one server and one set of connection pools each). */
    public GatewayOptions setEventLoops(int eventLoops) {
        this.eventLoops = (int) positive("event loops", eventLoops);
        return this;
    }

    public int getMaxConnectionsPerInstance() {
        return maxConnectionsPerInstance;
    }

    /** Keep-alive connections per upstream instance and event loop. */
    public GatewayOptions setMaxConnectionsPerInstance(int maxConnectionsPerInstance) {
        this.maxConnectionsPerInstance = (int) positive("max connections per instance", maxConnectionsPerInstance);
        return this;
    }

    public int getUpstreamKeepAliveSeconds() {
        return upstreamKeepAliveSeconds;
    }

    /**
     * How long an idle upstream connection is kept. The default, 4 s, is below the 5 s after which Node's
     * HTTP server closes idle connections, so the gateway lets go first.
     */
    public GatewayOptions setUpstreamKeepAliveSeconds(int upstreamKeepAliveSeconds) {
        this.upstreamKeepAliveSeconds = (int) positive("upstream keep-alive", upstreamKeepAliveSeconds);
        return this;
    }

    public long getRoutesCheckMs() {
        return routesCheckMs;
    }

    /** How often the routes file is checked for changes. */
    public GatewayOptions setRoutesCheckMs(long routesCheckMs) {
        this.routesCheckMs = positive("routes check interval", routesCheckMs);
        return this;
    }

    public long getRegistryWaitMs() {
        return registryWaitMs;
    }

    /** How long start-up waits for the registry's first snapshot before serving anyway. */
    public GatewayOptions setRegistryWaitMs(long registryWaitMs) {
        this.registryWaitMs = positive("registry wait", registryWaitMs);
        return this;
    }

    private static int checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + ": " + port + " (expected: 0..65535)");
        }
        return port;
    }

    private static long positive(String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    public TlsOptions getTls() {
        return tls;
    }

    /** HTTPS on a port of its own; null (the default) serves plain HTTP only. */
    public GatewayOptions setTls(TlsOptions tls) {
        this.tls = tls;
        return this;
    }

    public boolean isH2c() {
        return h2c;
    }

    /**
     * Whether the plain port also takes HTTP/2 from clients that start with its preface ("prior knowledge").
     * For trusted networks: with it on, Vert.x sets an HTTP/1 connection up only once its first request head
     * is complete, so the header timeout does not hold for that first head (it does for later ones).
     */
    public GatewayOptions setH2c(boolean h2c) {
        this.h2c = h2c;
        return this;
    }

    public int getHttp2MaxStreams() {
        return http2MaxStreams;
    }

    public GatewayOptions setHttp2MaxStreams(int http2MaxStreams) {
        if (http2MaxStreams < 1) {
            throw new IllegalArgumentException("http2 max streams: " + http2MaxStreams + " (expected: >= 1)");
        }
        this.http2MaxStreams = http2MaxStreams;
        return this;
    }

    public int getHttp2MaxResetsPerMinute() {
        return http2MaxResetsPerMinute;
    }

    public GatewayOptions setHttp2MaxResetsPerMinute(int http2MaxResetsPerMinute) {
        if (http2MaxResetsPerMinute < 1) {
            throw new IllegalArgumentException("http2 max resets per minute: " + http2MaxResetsPerMinute
                    + " (expected: >= 1)");
        }
        this.http2MaxResetsPerMinute = http2MaxResetsPerMinute;
        return this;
    }
}
