package dev.flotilla.gateway.impl;

import dev.flotilla.gateway.TlsOptions;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The gateway's TLS settings built from {@link TlsOptions}: the PEM files read now (so that a change of
 * their content, not of their names, makes new settings), modern protocols and suites, SNI and ALPN.
 */
public final class Certificates {

    /** TLS 1.2 and 1.3 only: older versions have known weaknesses and every current client speaks 1.2. */
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    /**
     * Forward-secret AEAD suites only (Mozilla's "intermediate" list): TLS 1.3's three, and TLS 1.2's ECDHE
     * with AES-GCM or ChaCha20-Poly1305. No CBC, RSA key exchange, 3DES or RC4.
     */
    static final List<String> SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private Certificates() {
    }

    /** The TLS implementation {@code tls} asks for; fails when it asks for OpenSSL and it does not load. */
    static SSLEngineOptions engine(TlsOptions tls) {
        boolean openSsl = OpenSSLEngineOptions.isAvailable();
        if (tls.getEngine() == TlsOptions.Engine.OPENSSL && !openSsl) {
            throw new IllegalArgumentException("tls engine: openssl is not available here ("
                    + OpenSsl.unavailabilityCause() + "); expected auto or jdk");
        }
        return openSsl && tls.getEngine() != TlsOptions.Engine.JDK ? new OpenSSLEngineOptions()
                : new JdkSSLEngineOptions();
    }

    /** Which TLS implementation {@link #engine} gives, for the log. */
    public static String engineName(TlsOptions tls) {
        return engine(tls) instanceof OpenSSLEngineOptions ? "OpenSSL " + OpenSsl.versionString() : "the JDK's TLS";
    }

    /** Reads every certificate file now; the error names the file that could not be read. */
    public static ServerSSLOptions read(TlsOptions tls) {
        if (tls.getCertificates().isEmpty()) {
            throw new IllegalArgumentException("tls: no certificate (expected: at least one cert and key)");
        }
        engine(tls); // fails now, naming the option, rather than at listen
        PemKeyCertOptions pem = new PemKeyCertOptions();
        for (TlsOptions.Certificate certificate : tls.getCertificates()) {
            pem.addCertValue(readPem(certificate.chain(), "CERTIFICATE"));
            pem.addKeyValue(readPem(certificate.key(), "PRIVATE KEY"));
        }
        ServerSSLOptions options = new ServerSSLOptions()
                .setKeyCertOptions(pem)
                .setSni(true)
                .setUseAlpn(tls.isHttp2())
                .setEnabledSecureTransportProtocols(PROTOCOLS);
        List<String> alpn = new ArrayList<>();
        if (tls.isHttp2()) {
            alpn.add("h2");
        }
        alpn.add("http/1.1");
        options.setApplicationLayerProtocols(alpn);
        SUITES.forEach(options::addEnabledCipherSuite);
        return options;
    }

    /** Sets {@code server} up to serve TLS as {@code ssl} says, with the engine {@code tls} asks for. */
    static void apply(TlsOptions tls, ServerSSLOptions ssl, HttpServerOptions server) {
        server.setSsl(true)
                .setSslEngineOptions(engine(tls))
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setSni(ssl.isSni())
                .setUseAlpn(ssl.isUseAlpn())
                .setAlpnVersions(ssl.isUseAlpn() ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)
                        : List.of(HttpVersion.HTTP_1_1))
                .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
        ssl.getEnabledCipherSuites().forEach(server::addEnabledCipherSuite);
    }

    private static Buffer readPem(Path file, String kind) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("tls: cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!text.contains("-----BEGIN ") || !text.contains(kind + "-----")) {
            throw new IllegalArgumentException("tls: " + file + " holds no PEM " + kind.toLowerCase()
                    + " (expected: a -----BEGIN ..." + kind + "----- block)");
        }
        return Buffer.buffer(text);
    }
}
