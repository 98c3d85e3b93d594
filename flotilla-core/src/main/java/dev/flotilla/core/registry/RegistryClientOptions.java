package dev.flotilla.core.registry;

import dev.flotilla.core.time.Ticker;
import java.net.URI;
import java.util.Objects;

/** Where the registry is and how to talk to it. Mutable options object, copied by the client. */
public final class RegistryClientOptions {

    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_RECONNECT_MIN_MS = 100;
    public static final long DEFAULT_RECONNECT_MAX_MS = 5_000;
    /** A watch that hears nothing (events or keep-alives) for this long is reconnected. */
    public static final long DEFAULT_WATCH_IDLE_TIMEOUT_MS = 15_000;

    private URI url;
    private String token;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private long reconnectMinMs = DEFAULT_RECONNECT_MIN_MS;
    private long reconnectMaxMs = DEFAULT_RECONNECT_MAX_MS;
    private long watchIdleTimeoutMs = DEFAULT_WATCH_IDLE_TIMEOUT_MS;
    private Ticker ticker = Ticker.SYSTEM;

    public RegistryClientOptions(String url) {
        setUrl(url);
    }

    public RegistryClientOptions(RegistryClientOptions other) {
        this.url = other.url;
        this.token = other.token;
        this.requestTimeoutMs = other.requestTimeoutMs;
        this.reconnectMinMs = other.reconnectMinMs;
        this.reconnectMaxMs = other.reconnectMaxMs;
        this.watchIdleTimeoutMs = other.watchIdleTimeoutMs;
        this.ticker = other.ticker;
    }

    public URI getUrl() {
        return url;
    }

    /** The registry's base URL, e.g. {@code http://127.0.0.1:7070}. */
    public RegistryClientOptions setUrl(String url) {
        Objects.requireNonNull(url, "url");
        URI parsed = URI.create(url);
        if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("registry url '" + url + "' (expected: http://HOST:PORT)");
        }
        this.url = parsed;
        return this;
    }

    public String getToken() {
        return token;
    }

    /** The bearer token for writes, when the registry has one. */
    public RegistryClientOptions setToken(String token) {
        this.token = token;
        return this;
    }

    public long getRequestTimeoutMs() {
        return requestTimeoutMs;
    }

    public RegistryClientOptions setRequestTimeoutMs(long requestTimeoutMs) {
        this.requestTimeoutMs = requirePositive("requestTimeoutMs", requestTimeoutMs);
        return this;
    }

    public long getReconnectMinMs() {
        return reconnectMinMs;
    }

    public long getReconnectMaxMs() {
        return reconnectMaxMs;
    }

    /** The watch reconnects after {@code min}, doubling up to {@code max} while the registry stays away. */
    public RegistryClientOptions setReconnectBackoff(long minMs, long maxMs) {
        requirePositive("reconnectMinMs", minMs);
        if (maxMs < minMs) {
            throw new IllegalArgumentException("reconnectMaxMs: " + maxMs
                    + " (expected: >= reconnectMinMs " + minMs + ")");
        }
        this.reconnectMinMs = minMs;
        this.reconnectMaxMs = maxMs;
        return this;
    }

    public long getWatchIdleTimeoutMs() {
        return watchIdleTimeoutMs;
    }

    public RegistryClientOptions setWatchIdleTimeoutMs(long watchIdleTimeoutMs) {
        this.watchIdleTimeoutMs = requirePositive("watchIdleTimeoutMs", watchIdleTimeoutMs);
        return this;
    }

    public Ticker getTicker() {
        return ticker;
    }

    /** The clock a watch measures silence by (tests advance it by hand); the system's by default. */
    public RegistryClientOptions setTicker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        return this;
    }

    private static long requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }
}
