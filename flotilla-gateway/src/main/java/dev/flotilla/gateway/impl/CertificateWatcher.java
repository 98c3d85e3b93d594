package dev.flotilla.gateway.impl;

import dev.flotilla.gateway.TlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the gateway's certificates when their files change (a renewal by certbot or cert-manager): new
 * connections get the new ones, open connections keep theirs, nothing is dropped. Files that cannot be used
 * (half written, a key that does not match) leave the certificates in force, and the error is logged; the
 * next change is tried again.
 */
public final class CertificateWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);

    private final Vertx vertx;
    private final TlsOptions tls;
    private final Function<ServerSSLOptions, Future<?>> install;
    private List<String> lastSeen;
    private long timerId = -1;

    /** {@code install} hands new settings to every server; it fails when they cannot be used. */
    public CertificateWatcher(Vertx vertx, TlsOptions tls, Function<ServerSSLOptions, Future<?>> install) {
        this.vertx = vertx;
        this.tls = tls;
        this.install = install;
        this.lastSeen = stamps();
    }

    public void start() {
        timerId = vertx.setPeriodic(tls.getReloadCheckMs(), id -> check());
    }

    public void stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    private void check() {
        List<String> now = stamps();
        if (now.equals(lastSeen)) {
            return;
        }
        lastSeen = now;
        ServerSSLOptions next;
        try {
            next = Certificates.read(tls);
        } catch (RuntimeException e) {
            LOG.warn("certificates not reloaded, the ones in force stay: {}", e.getMessage());
            return;
        }
        install.apply(next).onComplete(ar -> {
            if (ar.succeeded()) {
                LOG.info("certificates reloaded from {}", tls.getCertificates());
            } else {
                LOG.warn("certificates not reloaded, the ones in force stay: {}", ar.cause().toString());
            }
        });
    }

    /** Each file's size and modification time: a change in either is a new certificate to try. */
    private List<String> stamps() {
        List<String> stamps = new ArrayList<>();
        for (TlsOptions.Certificate certificate : tls.getCertificates()) {
            for (Path file : List.of(certificate.chain(), certificate.key())) {
                try {
                    stamps.add(file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis());
                } catch (IOException e) {
                    stamps.add(file + ":missing");
                }
            }
        }
        return stamps;
    }
}
