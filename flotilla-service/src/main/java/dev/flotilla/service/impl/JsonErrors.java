package dev.flotilla.service.impl;

import dev.flotilla.core.http.HttpFailure;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure of a route into the JSON error of docs/architecture.md. Malformed JSON is a 400 that says so; an
 * {@link HttpFailure} keeps its status; anything else is a 500 whose body carries an id to find the stack
 * trace in the service's log, never the trace itself.
 */
final class JsonErrors {

    private static final Logger LOG = LoggerFactory.getLogger(JsonErrors.class);

    private JsonErrors() {
    }

    static void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        HttpFailure answer;
        if (failure instanceof HttpFailure http) {
            answer = http;
        } else if (failure instanceof DecodeException
                || failure != null && failure.getCause() instanceof DecodeException) {
            answer = HttpFailure.badRequest("the body is not valid JSON: " + firstLine(failure.getMessage()));
        } else if (failure == null && ctx.statusCode() > 0) {
            answer = forStatus(ctx.statusCode(), ctx);
        } else if (failure instanceof IllegalArgumentException) {
            answer = HttpFailure.badRequest(failure.getMessage());
        } else {
            String id = UUID.randomUUID().toString();
            LOG.error("{} {} failed (error id {})", ctx.request().method(), ctx.request().path(), id, failure);
            // The request's span: failed, with the exception as an event (its stack trace stays in the log).
            Span.current().recordException(failure == null ? new IllegalStateException("failed") : failure,
                    Attributes.of(ERROR_ID, id));
            answer = new HttpFailure(500, "internal_error", "the request failed; error id " + id
                    + " is in the service's log");
        }
        send(ctx, answer);
    }

    static HttpFailure forStatus(int status, RoutingContext ctx) {
        return switch (status) {
            case 404 -> HttpFailure.notFound("no route for " + ctx.request().method() + " " + ctx.request().path());
            case 405 -> new HttpFailure(405, "method_not_allowed", ctx.request().method() + " is not allowed on "
                    + ctx.request().path());
            case 413 -> new HttpFailure(413, "payload_too_large", "the body is larger than this service accepts");
            case 400 -> HttpFailure.badRequest("bad request");
            default -> new HttpFailure(status, "http_" + status, "HTTP " + status);
        };
    }

    private static final AttributeKey<String> ERROR_ID = AttributeKey.stringKey("flotilla.error_id");

    static void send(RoutingContext ctx, HttpFailure failure) {
        if (failure.status() >= 500) {
            Span.current().setStatus(StatusCode.ERROR, failure.code() + ": " + failure.getMessage());
        }
        if (ctx.response().headWritten()) {
            ctx.request().connection().close();
            return;
        }
        ctx.response().setStatusCode(failure.status()).putHeader("Content-Type", "application/json")
                .end(failure.toJson().toBuffer());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
