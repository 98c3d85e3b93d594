package dev.flotilla.gateway.impl;

import dev.flotilla.core.http.HttpFailure;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP decoder could not parse (oversized request line or headers, malformed
 * framing, obs-fold) with DESIGN.md's JSON error, then closes the connection: after a parse error the
 * rest of the bytes on it cannot be trusted.
 */
final class InvalidRequests {

    private InvalidRequests() {
    }

    static void answer(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        HttpFailure failure;
        if (cause instanceof TooLongFrameException) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("header")) {
                failure = new HttpFailure(431, "headers_too_large", "the request headers are too large");
            } else {
                failure = new HttpFailure(414, "uri_too_long", "the request line is too long");
            }
        } else {
            failure = HttpFailure.badRequest("the request is malformed"
                    + (cause == null ? "" : ": " + cause.getMessage()));
        }
        Proxy.send(request, failure, true);
    }
}
