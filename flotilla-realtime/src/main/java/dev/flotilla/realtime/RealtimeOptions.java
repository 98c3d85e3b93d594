package dev.flotilla.realtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link RealtimeServer} behaves. The defaults are Socket.IO 4.8's where it has one (path, heartbeat,
 * payload size, connect timeout, recovery window) and bounded where it has none (sockets, packet rate,
 * buffered packets).
 */
public final class RealtimeOptions {

    /** How rooms reach the service's other instances. */
    public enum Cluster {
        /** This process only. */
        NONE,
        /** Redis pub/sub in the wire format of {@code @socket.io/redis-adapter} (the default with Redis). */
        PUBSUB,
        /**
         * A Redis Stream: nothing lost while Redis blips, and connection state recovery on any instance; a
         * little slower than pub/sub. See {@code StreamsAdapter}.
         */
        STREAMS
    }

    private String path = "/socket.io/";
    private Duration pingInterval = Duration.ofSeconds(25);
    private Duration pingTimeout = Duration.ofSeconds(20);
    private Duration upgradeTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(45);
    private int maxPayload = 1_000_000;
    private int maxSockets = 65_536;
    private int maxPacketsPerSecond = 200;
    private int maxBufferedPackets = 10_000;
    private List<String> allowedOrigins = List.of();
    private Duration recoveryWindow = Duration.ofMinutes(2);
    private boolean recovery = true;
    private Duration ackTimeout = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(5);
    private Cluster cluster;
    private String redisKey = "socket.io";
    private Path clientScript;

    public static RealtimeOptions defaults() {
        return new RealtimeOptions();
    }

    /** Where the server answers, with a trailing slash (default {@code /socket.io/}). */
    public String path() {
        return path;
    }

    public RealtimeOptions path(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || !path.endsWith("/")) {
            throw new IllegalArgumentException("path: '" + path + "' (expected it to start and end with /)");
        }
        this.path = path;
        return this;
    }

    /** How often the server pings each client (default 25 s). */
    public Duration pingInterval() {
        return pingInterval;
    }

    public RealtimeOptions pingInterval(Duration pingInterval) {
        this.pingInterval = positive("pingInterval", pingInterval);
        return this;
    }

    /** How long a client has to answer a ping before it is closed with "ping timeout" (default 20 s). */
    public Duration pingTimeout() {
        return pingTimeout;
    }

    public RealtimeOptions pingTimeout(Duration pingTimeout) {
        this.pingTimeout = positive("pingTimeout", pingTimeout);
        return this;
    }

    /** How long an upgrade from polling to WebSocket may take (default 10 s). */
    public Duration upgradeTimeout() {
        return upgradeTimeout;
    }

    public RealtimeOptions upgradeTimeout(Duration upgradeTimeout) {
        this.upgradeTimeout = positive("upgradeTimeout", upgradeTimeout);
        return this;
    }

    /** How long a connection may stay without joining a namespace before it is closed (default 45 s). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    public RealtimeOptions connectTimeout(Duration connectTimeout) {
        this.connectTimeout = positive("connectTimeout", connectTimeout);
        return this;
    }

    /** The largest message or polling request a client may send, in bytes (default 1 000 000). */
    public int maxPayload() {
        return maxPayload;
    }

    public RealtimeOptions maxPayload(int maxPayload) {
        this.maxPayload = atLeast("maxPayload", maxPayload, 64);
        return this;
    }

    /** Connections this instance accepts; the next handshake gets 503 (default 65 536). */
    public int maxSockets() {
        return maxSockets;
    }

    public RealtimeOptions maxSockets(int maxSockets) {
        this.maxSockets = atLeast("maxSockets", maxSockets, 1);
        return this;
    }

    /** Packets one connection may send per second, averaged over a second; beyond, it is disconnected. */
    public int maxPacketsPerSecond() {
        return maxPacketsPerSecond;
    }

    public RealtimeOptions maxPacketsPerSecond(int maxPacketsPerSecond) {
        this.maxPacketsPerSecond = atLeast("maxPacketsPerSecond", maxPacketsPerSecond, 1);
        return this;
    }

    /** Packets waiting for a long-polling client to fetch them; beyond, the client is too slow and closed. */
    public int maxBufferedPackets() {
        return maxBufferedPackets;
    }

    public RealtimeOptions maxBufferedPackets(int maxBufferedPackets) {
        this.maxBufferedPackets = atLeast("maxBufferedPackets", maxBufferedPackets, 16);
        return this;
    }

    /**
     * Page origins ({@code https://example.com}) allowed to connect, besides the page's own; {@code "*"}
     * allows every origin. Empty (the default): only pages served by the same host.
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    public RealtimeOptions allowedOrigins(List<String> allowedOrigins) {
        this.allowedOrigins = List.copyOf(allowedOrigins);
        return this;
    }

    /** Whether a client that comes back within {@link #recoveryWindow()} keeps its id, rooms and missed packets. */
    public boolean recovery() {
        return recovery;
    }

    public RealtimeOptions recovery(boolean recovery) {
        this.recovery = recovery;
        return this;
    }

    /** How long a disconnected client's state is kept for it (default 2 min). */
    public Duration recoveryWindow() {
        return recoveryWindow;
    }

    public RealtimeOptions recoveryWindow(Duration recoveryWindow) {
        this.recoveryWindow = positive("recoveryWindow", recoveryWindow);
        return this;
    }

    /** How long {@code emitWithAck} waits when no timeout is given (default 30 s). */
    public Duration ackTimeout() {
        return ackTimeout;
    }

    public RealtimeOptions ackTimeout(Duration ackTimeout) {
        this.ackTimeout = positive("ackTimeout", ackTimeout);
        return this;
    }

    /** How long a request to the other instances ({@code fetchSockets}, {@code serverSideEmit}) waits (5 s). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    public RealtimeOptions requestTimeout(Duration requestTimeout) {
        this.requestTimeout = positive("requestTimeout", requestTimeout);
        return this;
    }

    /** The cluster mode; null (the default) means PUBSUB when the service has Redis, NONE otherwise. */
    public Cluster cluster() {
        return cluster;
    }

    public RealtimeOptions cluster(Cluster cluster) {
        this.cluster = cluster;
        return this;
    }

    /** The channel prefix on Redis (default {@code socket.io}, the Node adapter's). */
    public String redisKey() {
        return redisKey;
    }

    public RealtimeOptions redisKey(String redisKey) {
        if (redisKey == null || redisKey.isEmpty() || redisKey.contains("#")) {
            throw new IllegalArgumentException("redisKey: '" + redisKey + "' (expected a non-empty name without #)");
        }
        this.redisKey = redisKey;
        return this;
    }

    /**
     * The browser client's bundle ({@code socket.io.min.js} from the npm package {@code socket.io-client}), served
     * at {@code <path>socket.io.min.js} and {@code <path>socket.io.js} like Node's server does; null (the
     * default) serves none.
     */
    public Path clientScript() {
        return clientScript;
    }

    public RealtimeOptions clientScript(Path clientScript) {
        this.clientScript = clientScript;
        return this;
    }

    private static Duration positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected a positive duration)");
        }
        return value;
    }

    private static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
        }
        return value;
    }
}
