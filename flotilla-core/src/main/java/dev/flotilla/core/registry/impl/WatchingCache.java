package dev.flotilla.core.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.registry.RegistryEvent;
import dev.flotilla.core.registry.RegistryEvent.Type;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link InstanceWatch} over the registry's {@code GET /v1/watch} stream. All mutation happens on one
 * context; the instance map is concurrent so that reads from other threads see a consistent entry.
 */
final class WatchingCache implements InstanceWatch {

    private static final Logger log = LoggerFactory.getLogger(WatchingCache.class);
    private static final int MAX_EVENT_BYTES = 64 * 1024 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final HttpClientAgent http;
    private final RegistryClientOptions options;
    private final String service;
    private final Consumer<WatchingCache> onClose;
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private final List<Consumer<RegistryEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Promise<Void> ready = Promise.promise();
    private volatile long revision;
    /** The registry store's epoch of the last snapshot: a new one means the registry started over. */
    private String epoch;
    /**
     * Instances kept after a registry restart although its first snapshot lacked them: they are alive
     * until proven otherwise and re-register within their lease, so dropping them would empty every
     * caller for that time. Removed when their lease passes without a sign of them.
     */
    private final Map<String, Instance> unconfirmed = new HashMap<>();
    private String lastEventId;
    private volatile boolean connected;
    private boolean closed;
    private long backoffMs;
    private long lastActivity;
    private long watchdogId = -1;
    private HttpClientResponse stream;

    WatchingCache(Vertx vertx, HttpClientAgent http, RegistryClientOptions options, String service,
                  Consumer<WatchingCache> onClose) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.http = http;
        this.options = options;
        this.service = service;
        this.onClose = onClose;
        this.backoffMs = options.getReconnectMinMs();
    }

    void start() {
        context.runOnContext(v -> {
            long check = Math.max(50, options.getWatchIdleTimeoutMs() / 3);
            watchdogId = vertx.setPeriodic(check, id -> {
                long silentNanos = options.getTicker().nanos() - lastActivity;
                if (stream != null && silentNanos > options.getWatchIdleTimeoutMs() * 1_000_000) {
                    log.warn("Registry watch silent for {} ms; reconnecting", options.getWatchIdleTimeoutMs());
                    drop(stream);
                }
            });
            connect();
        });
    }

    @Override
    public Future<Void> ready() {
        return ready.future();
    }

    @Override
    public long revision() {
        return revision;
    }

    @Override
    public List<Instance> instances(String serviceName) {
        List<Instance> result = new ArrayList<>();
        for (Instance instance : instances.values()) {
            if (instance.service().equals(serviceName)) {
                result.add(instance);
            }
        }
        return result;
    }

    @Override
    public List<Instance> instances() {
        return new ArrayList<>(instances.values());
    }

    @Override
    public void addListener(Consumer<RegistryEvent> listener) {
        listeners.add(listener);
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public void close() {
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            closed = true;
            vertx.cancelTimer(watchdogId);
            if (stream != null) {
                drop(stream);
            }
            ready.tryFail("watch closed");
            onClose.accept(this);
        });
    }

    private void connect() {
        if (closed) {
            return;
        }
        String uri = HttpRegistryClient.basePath(options) + "/v1/watch"
                + (service == null ? "" : "?service=" + HttpRegistryClient.encode(service));
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(options.getUrl().getHost())
                .setPort(HttpRegistryClient.port(options))
                .setSsl("https".equals(options.getUrl().getScheme()))
                .setURI(uri)
                .setConnectTimeout(options.getRequestTimeoutMs())
                .putHeader(HttpHeaders.ACCEPT, "text/event-stream");
        if (lastEventId != null) {
            request.putHeader("Last-Event-ID", lastEventId);
        }
        http.request(request)
                .compose(req -> req.send())
                .compose(resp -> resp.statusCode() == 200
                        ? Future.succeededFuture(resp)
                        : resp.body().compose(body -> Future.failedFuture(
                                HttpFailure.fromResponse(resp.statusCode(), body.toString()))))
                .onSuccess(this::attach)
                .onFailure(this::reconnectLater);
    }

    private void attach(HttpClientResponse resp) {
        if (closed) {
            drop(resp);
            return;
        }
        stream = resp;
        connected = true;
        lastActivity = options.getTicker().nanos();
        SseParser parser = new SseParser(this::onSseEvent, MAX_EVENT_BYTES);
        resp.handler(chunk -> {
            lastActivity = options.getTicker().nanos();
            try {
                parser.feed(chunk);
            } catch (RuntimeException e) {
                log.warn("Bad data on the registry watch ({}); reconnecting", e.getMessage());
                drop(resp);
            }
        });
        resp.exceptionHandler(failure -> ended(resp, failure));
        resp.endHandler(v -> ended(resp, null));
    }

    private void ended(HttpClientResponse resp, Throwable failure) {
        if (stream != resp) {
            return;
        }
        stream = null;
        connected = false;
        reconnectLater(failure == null ? new IllegalStateException("watch stream ended") : failure);
    }

    private void drop(HttpClientResponse resp) {
        if (stream == resp) {
            stream = null;
            connected = false;
            if (!closed) {
                reconnectLater(new IllegalStateException("watch stream dropped"));
            }
        }
        resp.request().reset();
    }

    private void reconnectLater(Throwable failure) {
        if (closed) {
            return;
        }
        log.debug("Registry watch down ({}); retrying in {} ms", failure.getMessage(), backoffMs);
        long delay = backoffMs;
        backoffMs = Math.min(options.getReconnectMaxMs(), backoffMs * 2);
        vertx.setTimer(delay, id -> connect());
    }

    private void onSseEvent(String event, String id, String data) {
        if (event == null) {
            return; // keep-alive comment
        }
        backoffMs = options.getReconnectMinMs();
        JsonObject json = new JsonObject(data);
        if (id != null) {
            lastEventId = id;
        }
        if (event.equals("snapshot")) {
            applySnapshot(json);
        } else {
            RegistryEvent change = RegistryEvent.fromJson(json);
            apply(change);
        }
    }

    /**
     * Replaces the cache with a snapshot and tells listeners what changed, as if they had seen the events.
     * A snapshot from a new epoch (the registry restarted and lost its state) removes nothing at once:
     * what it lacks stays, {@link #unconfirmed}, for up to each instance's lease.
     */
    private void applySnapshot(JsonObject json) {
        long snapshotRevision = json.getLong("revision");
        String snapshotEpoch = json.getString("epoch");
        boolean restarted = epoch != null && snapshotEpoch != null && !epoch.equals(snapshotEpoch);
        epoch = snapshotEpoch;
        Map<String, Instance> fresh = new HashMap<>();
        json.getJsonArray("instances").forEach(i -> {
            Instance instance = Instance.fromJson((JsonObject) i);
            fresh.put(instance.id(), instance);
        });
        List<RegistryEvent> changes = new ArrayList<>();
        for (Instance old : instances.values()) {
            if (fresh.containsKey(old.id())) {
                continue;
            }
            if (restarted) {
                keepUnconfirmed(old);
            } else {
                changes.add(new RegistryEvent(Type.DEREGISTERED, snapshotRevision, old));
            }
        }
        for (Instance now : fresh.values()) {
            Instance old = instances.get(now.id());
            if (old == null) {
                changes.add(new RegistryEvent(Type.REGISTERED, snapshotRevision, now));
            } else if (!old.equals(now)) {
                Type type = old.status() != now.status() ? Type.STATUS_CHANGED : Type.UPDATED;
                changes.add(new RegistryEvent(type, snapshotRevision, now));
            }
        }
        changes.forEach(this::apply);
        revision = snapshotRevision;
        ready.tryComplete();
    }

    private void keepUnconfirmed(Instance instance) {
        unconfirmed.put(instance.id(), instance);
        log.info("Registry restarted without instance {}; keeping it for its {} s lease until it re-registers",
                instance.id(), instance.ttlSeconds());
        vertx.setTimer(instance.ttlSeconds() * 1000L, id -> { // on this cache's context, as the caller
            if (unconfirmed.remove(instance.id(), instance) && !closed) {
                apply(new RegistryEvent(Type.EXPIRED, revision, instance));
            }
        });
    }

    private void apply(RegistryEvent event) {
        unconfirmed.remove(event.instance().id());
        if (event.type().removes()) {
            instances.remove(event.instance().id());
        } else {
            instances.put(event.instance().id(), event.instance());
        }
        revision = Math.max(revision, event.revision());
        for (Consumer<RegistryEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("Registry watch listener failed on {}", event, e);
            }
        }
    }
}
