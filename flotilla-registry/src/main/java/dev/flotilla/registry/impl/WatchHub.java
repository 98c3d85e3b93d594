package dev.flotilla.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The open {@code GET /v1/watch} streams (Server-Sent Events). A new watcher gets a snapshot, or, when it
 * sends {@code Last-Event-ID} and the events since are still kept, just those events; then one event per
 * change. The SSE id is {@code REVISION@EPOCH}: a watcher resuming with an id from another epoch (the
 * registry restarted empty, Redis was flushed) gets a snapshot, as its revision means nothing here. A bare
 * {@code REVISION} is taken to be of the current epoch.
 *
 * <p>Reads need no token, so the streams are what an anonymous client can take: at most
 * {@code maxWatchersPerAddress} per client address; every snapshot and event is encoded once and the same
 * bytes are queued to every watcher (300 watchers of a 4 MB snapshot hold one copy, not 300); and a watcher
 * that does not read falls {@link #SLOW_READER_BYTES} behind at most before it is disconnected (it resumes
 * by itself, without losing anything, once it reads again). Event-loop confined.
 */
final class WatchHub implements RegistryView.ChangeListener {

    private final class Watcher {
        final HttpServerResponse response;
        final String service;
        final String address;

        Watcher(HttpServerResponse response, String service, String address) {
            this.response = response;
            this.service = service;
            this.address = address;
        }

        boolean wants(Instance instance) {
            return service == null || service.equals(instance.service());
        }

        void send(Buffer bytes) {
            if (response.writeQueueFull()) {
                close(); // too slow: let it resume from its last event instead of buffering without bound
                return;
            }
            response.write(bytes);
        }

        void close() {
            if (remove(this)) {
                response.reset();
            }
        }
    }

    /** How far past its snapshot a watcher may fall behind before it counts as too slow. */
    static final int SLOW_READER_BYTES = 1024 * 1024;
    private static final Buffer KEEPALIVE = Buffer.buffer(": keepalive\n\n");

    private final RegistryView view;
    private final int maxWatchers;
    private final int maxPerAddress;
    private final Set<Watcher> watchers = new LinkedHashSet<>();
    private final Map<String, Integer> perAddress = new HashMap<>();
    /** The last snapshot encoded, for every watcher that asks for the same one. */
    private String cachedSnapshotKey;
    private Buffer cachedSnapshot;
    private final Vertx vertx;
    private final long keepAliveTimer;

    WatchHub(Vertx vertx, RegistryView view, int maxWatchers, int maxPerAddress, long keepAliveMs) {
        this.vertx = vertx;
        this.view = view;
        this.maxWatchers = maxWatchers;
        this.maxPerAddress = maxPerAddress;
        this.keepAliveTimer = vertx.setPeriodic(keepAliveMs,
                id -> List.copyOf(watchers).forEach(w -> w.send(KEEPALIVE)));
    }

    int size() {
        return watchers.size();
    }

    /**
     * Starts streaming to {@code response}.
     *
     * @param lastEventId the last SSE id the client has seen ({@code Last-Event-ID}); null for none
     */
    void open(HttpServerRequest request, String service, String lastEventId) {
        long since = since(lastEventId);
        if (watchers.size() >= maxWatchers) {
            throw new HttpFailure(503, "too_many_watchers", "this registry serves " + watchers.size()
                    + " watch streams, its limit (maxWatchers); try another registry or later");
        }
        String address = request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
        int held = perAddress.getOrDefault(address, 0);
        if (held >= maxPerAddress) {
            throw new HttpFailure(429, "too_many_watchers", address + " holds " + held
                    + " watch streams, the limit per client address (maxWatchersPerAddress)");
        }
        HttpServerResponse response = request.response();
        Watcher watcher = new Watcher(response, service, address);
        List<RegistryEvent> missed = since >= 0 ? view.eventsAfter(since) : null;
        Buffer first = missed == null ? snapshot(service) : Buffer.buffer();
        response.setChunked(true)
                .setWriteQueueMaxSize(first.length() + SLOW_READER_BYTES)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        response.write("retry: 1000\n\n");
        if (missed == null) {
            response.write(first);
        } else {
            missed.stream().filter(e -> watcher.wants(e.instance())).forEach(e -> watcher.send(format(e)));
        }
        watchers.add(watcher);
        perAddress.merge(address, 1, Integer::sum);
        response.closeHandler(v -> remove(watcher));
    }

    private boolean remove(Watcher watcher) {
        if (!watchers.remove(watcher)) {
            return false;
        }
        perAddress.computeIfPresent(watcher.address, (a, n) -> n > 1 ? n - 1 : null);
        return true;
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
        Buffer text = format(event);
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

    private Buffer snapshot(String service) {
        String key = view.epoch() + "/" + view.revision() + "/" + service;
        if (key.equals(cachedSnapshotKey)) {
            return cachedSnapshot;
        }
        JsonArray instances = new JsonArray();
        for (Instance instance : view.instances()) {
            if (service == null || service.equals(instance.service())) {
                instances.add(instance.toJson());
            }
        }
        JsonObject data = new JsonObject().put("revision", view.revision()).put("epoch", view.epoch())
                .put("instances", instances);
        cachedSnapshot = Buffer.buffer("id: " + view.eventId(view.revision()) + "\nevent: snapshot\ndata: "
                + data.encode() + "\n\n");
        cachedSnapshotKey = key;
        return cachedSnapshot;
    }

    private Buffer format(RegistryEvent event) {
        return Buffer.buffer("id: " + view.eventId(event.revision()) + "\nevent: " + event.type().wireName()
                + "\ndata: " + event.toJson().encode() + "\n\n");
    }
}
