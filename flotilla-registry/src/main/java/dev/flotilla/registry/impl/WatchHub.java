package dev.flotilla.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The open {@code GET /v1/watch} streams (Server-Sent Events). A new watcher gets a snapshot, or, when it
 * sends {@code Last-Event-ID} and the events since are still kept, just those events; then one event per
 * change. The SSE id is {@code REVISION@EPOCH}: a watcher resuming with an id from another epoch (the
 * registry restarted empty, Redis was flushed) gets a snapshot, as its revision means nothing here. A bare
 * {@code REVISION} is taken to be of the current epoch. A watcher that cannot keep up (its write queue is full) is
 * disconnected: it resumes by itself without losing anything. Event-loop confined.
 */
final class WatchHub implements RegistryView.ChangeListener {

    private final class Watcher {
        final HttpServerResponse response;
        final String service;

        Watcher(HttpServerResponse response, String service) {
            this.response = response;
            this.service = service;
        }

        boolean wants(Instance instance) {
            return service == null || service.equals(instance.service());
        }

        void send(String text) {
            if (response.writeQueueFull()) {
                close(); // too slow: let it resume from its last event instead of buffering without bound
                return;
            }
            response.write(text);
        }

        void close() {
            if (watchers.remove(this)) {
                response.reset();
            }
        }
    }

    /**
     * How much a watcher may have unsent before it counts as too slow. It must hold a whole snapshot
     * (10 000 instances are about 4 MB), or a healthy watcher would be dropped by the first event after it.
     */
    static final int WRITE_QUEUE_BYTES = 16 * 1024 * 1024;

    private final RegistryView view;
    private final int maxWatchers;
    private final Set<Watcher> watchers = new LinkedHashSet<>();
    private final Vertx vertx;
    private final long keepAliveTimer;

    WatchHub(Vertx vertx, RegistryView view, int maxWatchers, long keepAliveMs) {
        this.vertx = vertx;
        this.view = view;
        this.maxWatchers = maxWatchers;
        this.keepAliveTimer = vertx.setPeriodic(keepAliveMs,
                id -> List.copyOf(watchers).forEach(w -> w.send(": keepalive\n\n")));
    }

    int size() {
        return watchers.size();
    }

    /**
     * Starts streaming to {@code response}.
     *
     * @param lastEventId the last SSE id the client has seen ({@code Last-Event-ID}); null for none
     */
    void open(HttpServerResponse response, String service, String lastEventId) {
        long since = since(lastEventId);
        if (watchers.size() >= maxWatchers) {
            throw new HttpFailure(503, "too_many_watchers", "this registry serves " + watchers.size()
                    + " watch streams, its limit (maxWatchers); try another registry or later");
        }
        Watcher watcher = new Watcher(response, service);
        response.setChunked(true)
                .setWriteQueueMaxSize(WRITE_QUEUE_BYTES)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        response.write("retry: 1000\n\n");
        List<RegistryEvent> missed = since >= 0 ? view.eventsAfter(since) : null;
        if (missed == null) {
            watcher.send(snapshot(service));
        } else {
            missed.stream().filter(e -> watcher.wants(e.instance())).forEach(e -> watcher.send(format(e)));
        }
        watchers.add(watcher);
        response.closeHandler(v -> watchers.remove(watcher));
    }

    /** The revision to resume after; -1 when the client needs a snapshot. */
    private long since(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return -1;
        }
        String[] parts = lastEventId.trim().split("@", 2);
        long revision;
        try {
            revision = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            revision = -1;
        }
        if (revision < 0) {
            throw HttpFailure.badRequest("Last-Event-ID: '" + lastEventId
                    + "' (expected: an id from this stream, REVISION@EPOCH, or a revision number)");
        }
        return parts.length == 2 && !parts[1].equals(view.epoch()) ? -1 : revision;
    }

    @Override
    public void onEvent(RegistryEvent event) {
        if (watchers.isEmpty()) {
            return;
        }
        String text = format(event);
        for (Watcher watcher : List.copyOf(watchers)) {
            if (watcher.wants(event.instance())) {
                watcher.send(text);
            }
        }
    }

    @Override
    public void onReset() {
        // Events were lost: every watcher must start over; they reconnect and get a snapshot.
        List.copyOf(watchers).forEach(Watcher::close);
    }

    void close() {
        vertx.cancelTimer(keepAliveTimer);
        List.copyOf(watchers).forEach(Watcher::close);
    }

    private String snapshot(String service) {
        JsonArray instances = new JsonArray();
        for (Instance instance : view.instances()) {
            if (service == null || service.equals(instance.service())) {
                instances.add(instance.toJson());
            }
        }
        JsonObject data = new JsonObject().put("revision", view.revision()).put("epoch", view.epoch())
                .put("instances", instances);
        return "id: " + view.eventId(view.revision()) + "\nevent: snapshot\ndata: " + data.encode() + "\n\n";
    }

    private String format(RegistryEvent event) {
        return "id: " + view.eventId(event.revision()) + "\nevent: " + event.type().wireName() + "\ndata: "
                + event.toJson().encode() + "\n\n";
    }
}
