package dev.flotilla.core.resilience;

import dev.flotilla.core.http.HttpFailure;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * Why a call to an upstream instance failed, in the terms retries and outlier detection care about: did
 * the request reach the instance, and whose fault was it. Only the instance's own failures
 * ({@link Kind#CONNECT}, {@link Kind#TIMEOUT}, {@link Kind#RESET}, see {@link Kind#isInstanceFault}) eject
 * it or open a breaker; a client that hangs up or sends a broken body, and a pooled connection that went
 * stale, say nothing about the instance.
 */
public final class UpstreamFailure extends RuntimeException {

    /** The kinds of failure, from "never left" to "lost on the way back". */
    public enum Kind {
        /** The circuit breaker refused the call: nothing was sent. */
        CIRCUIT_OPEN,
        /** No instance to send to: none registered UP, or all tried. */
        NO_INSTANCE,
        /** The connection could not be made; the request never reached the instance. */
        CONNECT,
        /** The instance did not answer in time. */
        TIMEOUT,
        /** The connection broke after the request was (maybe partly) sent. */
        RESET,
        /**
         * A keep-alive connection from the pool was closed by the instance before it answered (it closes
         * idle connections without saying so): the pool's fault; worth a retry on a fresh connection.
         */
        STALE,
        /** The client hung up, stalled, or sent a body that could not be read: never retried. */
        CLIENT;

        /** Whether this failure counts against the instance (outlier ejection). */
        public boolean isInstanceFault() {
            return this == CONNECT || this == TIMEOUT || this == RESET;
        }

        /** Whether this failure says nothing about the service's health (breakers ignore it). */
        public boolean isClientOrPoolFault() {
            return this == CLIENT || this == STALE;
        }
    }

    private final Kind kind;

    public UpstreamFailure(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** A failure while obtaining a connection: the request certainly did not reach the instance. */
    public static UpstreamFailure connect(Throwable cause) {
        return new UpstreamFailure(Kind.CONNECT, "could not connect: " + describe(cause), cause);
    }

    /** The client's fault: the call is abandoned, and nothing is held against the instance. */
    public static UpstreamFailure client(String message) {
        return new UpstreamFailure(Kind.CLIENT, message, null);
    }

    /** A reused keep-alive connection that the instance had closed before this request could be answered. */
    public static UpstreamFailure stale(Throwable cause) {
        return new UpstreamFailure(Kind.STALE, "a pooled connection was closed by the instance: " + describe(cause),
                cause);
    }

    /**
     * Classifies a failure on a connection from a pool: a connection closed under a request on a connection
     * that had carried a whole exchange before is a stale keep-alive connection (the pool's fault), not a
     * failing instance.
     */
    public static UpstreamFailure onPooledConnection(Throwable cause, boolean reused) {
        UpstreamFailure failure = of(cause);
        return reused && failure.kind == Kind.RESET && cause instanceof HttpClosedException ? stale(cause) : failure;
    }

    /** Classifies a failure that happened after a connection was obtained. */
    public static UpstreamFailure of(Throwable cause) {
        if (cause instanceof UpstreamFailure failure) {
            return failure;
        }
        if (cause.getCause() instanceof UpstreamFailure || cause.getCause() instanceof TimeoutException) {
            return of(cause.getCause()); // a reset that carries why the attempt was abandoned
        }
        if (cause instanceof TimeoutException || String.valueOf(cause.getMessage()).contains("timeout period")) {
            return new UpstreamFailure(Kind.TIMEOUT, "timed out: " + describe(cause), cause);
        }
        if (cause instanceof ConnectException) {
            return connect(cause);
        }
        return new UpstreamFailure(Kind.RESET, "connection failed: " + describe(cause), cause);
    }

    /** The HTTP error a proxy returns for this failure (the statuses of docs/architecture.md). */
    public HttpFailure toHttp(String service) {
        switch (kind) {
            case CIRCUIT_OPEN:
                return new HttpFailure(503, "circuit_open", getMessage());
            case NO_INSTANCE:
                return new HttpFailure(503, "no_healthy_instance", "no healthy instance of '" + service + "'");
            case TIMEOUT:
                return new HttpFailure(504, "upstream_timeout", "'" + service + "' " + getMessage());
            default:
                return new HttpFailure(502, "bad_upstream", "'" + service + "' " + getMessage());
        }
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
