package dev.flotilla.gateway;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * HTTPS on the gateway: a second public port that terminates TLS and speaks HTTP/2 (by ALPN) or HTTP/1.1.
 * Certificates come from PEM files, a chain and its key each; with several, the client's SNI name picks the
 * one whose names match, and the first is the default. The files are read again when they change, and new
 * connections use the new certificates while open ones keep theirs. TLS 1.2 and 1.3 only, with forward
 * secret AEAD suites; OpenSSL (netty-tcnative) does the work when it loads on this machine, the JDK
 * otherwise.
 */
public final class TlsOptions {

    /** How often the certificate files are checked for changes. */
    public static final long DEFAULT_RELOAD_CHECK_MS = 1_000;

    /** Which TLS implementation serves. */
    public enum Engine {
        /** OpenSSL (BoringSSL, through netty-tcnative) when its native library loads here, else the JDK's. */
        AUTO,
        /** OpenSSL; the gateway does not start without it. */
        OPENSSL,
        /** The JDK's TLS. */
        JDK;

        /** Parses {@code auto}, {@code openssl} or {@code jdk}; the error names them. */
        public static Engine parse(String text) {
            for (Engine engine : values()) {
                if (engine.name().equalsIgnoreCase(String.valueOf(text).trim())) {
                    return engine;
                }
            }
            throw new IllegalArgumentException("tls engine: '" + text + "' (expected auto, openssl or jdk)");
        }
    }

    /** One certificate: a PEM chain (the leaf first) and its PEM private key. */
    public record Certificate(Path chain, Path key) {
    }

    private int port = 8443;
    private final List<Certificate> certificates = new ArrayList<>();
    private boolean redirectHttp;
    private boolean http2 = true;
    private long reloadCheckMs = DEFAULT_RELOAD_CHECK_MS;
    private Engine engine = Engine.AUTO;

    public int getPort() {
        return port;
    }

    /** The HTTPS port; 0 picks a free one. */
    public TlsOptions setPort(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("tls port: " + port + " (expected: 0..65535)");
        }
        this.port = port;
        return this;
    }

    public List<Certificate> getCertificates() {
        return List.copyOf(certificates);
    }

    public TlsOptions addCertificate(Path chain, Path key) {
        certificates.add(new Certificate(chain, key));
        return this;
    }

    public boolean isRedirectHttp() {
        return redirectHttp;
    }

    /** Whether the plain port answers every request with a redirect to the same URL over HTTPS (308). */
    public TlsOptions setRedirectHttp(boolean redirectHttp) {
        this.redirectHttp = redirectHttp;
        return this;
    }

    public boolean isHttp2() {
        return http2;
    }

    /** Whether HTTP/2 is offered by ALPN (default); without it, HTTPS is HTTP/1.1 only. */
    public TlsOptions setHttp2(boolean http2) {
        this.http2 = http2;
        return this;
    }

    public long getReloadCheckMs() {
        return reloadCheckMs;
    }

    public TlsOptions setReloadCheckMs(long reloadCheckMs) {
        if (reloadCheckMs < 10) {
            throw new IllegalArgumentException("tls reload check: " + reloadCheckMs + " ms (expected: >= 10)");
        }
        this.reloadCheckMs = reloadCheckMs;
        return this;
    }

    public Engine getEngine() {
        return engine;
    }

    public TlsOptions setEngine(Engine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
        return this;
    }
}
