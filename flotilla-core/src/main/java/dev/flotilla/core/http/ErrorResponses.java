package dev.flotilla.core.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * Writes the JSON error body of docs/architecture.md for every Flotilla server, including for requests
 * Vert.x could not parse.
 */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /**
     * Answers with the failure's status and JSON body. {@code close} closes the connection once it is sent:
     * for requests whose framing is suspect or whose body was not read, so nothing left on the wire is taken
     * for a next request. The close lingers ({@link LingeringClose}) so that a client still sending its
     * body reads the answer rather than a reset. Under HTTP/2 only the request's stream ends.
     */
    public static void send(HttpServerRequest request, HttpFailure failure, boolean closeConnection) {
        // HTTP/2 frames each stream apart: ending the stream is enough, and the connection carries others.
        boolean close = closeConnection && request.version() != HttpVersion.HTTP_2;
        HttpServerResponse response = request.response();
        if (response.headWritten() || response.closed()) {
            if (close && !response.closed()) {
                LingeringClose.close(request.connection());
            }
            return;
        }
        response.setStatusCode(failure.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(failure.toJson().toBuffer()).onComplete(v -> {
            if (close) {
                LingeringClose.close(request.connection());
            }
        });
    }

    /**
     * For {@code HttpServer.invalidRequestHandler}: a request the HTTP decoder refused (request line or
     * headers too long, malformed framing) gets 414, 431 or 400 in JSON rather than Vert.x's empty answer,
     * and its connection is closed: after a parse error the rest of its bytes cannot be trusted.
     */
    public static void answerInvalid(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        HttpFailure failure;
        if (cause instanceof TooLongHttpLineException) {
            failure = new HttpFailure(414, "uri_too_long", "the request line is too long");
        } else if (cause instanceof TooLongFrameException) {
            failure = new HttpFailure(431, "headers_too_large", "the request headers are too large");
        } else {
            failure = HttpFailure.badRequest("the request is malformed"
                    + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        send(request, failure, true);
    }
}
