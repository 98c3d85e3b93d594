package dev.flotilla.core.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.Registration;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.registry.ServiceSummary;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The HTTP implementation of {@link RegistryClient}. */
public final class HttpRegistryClient implements RegistryClient {

    private final Vertx vertx;
    /**
     * Calls made from outside Vert.x run on this context. Vert.x 5 binds every future to a context; a
     * request started from a plain thread gets a fresh one each time, and under load their completions
     * were seen to stall (our registry benchmark; Vert.x's advice is to drive a client from one context).
     */
    private final Context context;
    private final RegistryClientOptions options;
    private final HttpClientAgent http;
    private final Set<LeaseKeeper> registrations = ConcurrentHashMap.newKeySet();
    private final Set<WatchingCache> watches = ConcurrentHashMap.newKeySet();

    public HttpRegistryClient(Vertx vertx, RegistryClientOptions options) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.options = new RegistryClientOptions(options);
        this.http = vertx.createHttpClient(new HttpClientOptions().setTracingPolicy(TracingPolicy.IGNORE)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, this.options.getRequestTimeoutMs())));
    }

    @Override
    public Future<Registration> register(Instance instance) {
        return put(instance).map(stored -> {
            LeaseKeeper keeper = new LeaseKeeper(vertx, this, stored, registrations::remove);
            registrations.add(keeper);
            keeper.start();
            return keeper;
        });
    }

    @Override
    public Future<List<Instance>> discover(String service, String versionRange, boolean upOnly) {
        StringBuilder uri = new StringBuilder("/v1/services/").append(encode(service)).append('?');
        if (versionRange != null) {
            uri.append("version=").append(encode(versionRange)).append('&');
        }
        if (upOnly) {
            uri.append("status=UP");
        }
        return call(HttpMethod.GET, uri.toString(), null).map(json -> {
            List<Instance> result = new ArrayList<>();
            json.getJsonArray("instances").forEach(i -> result.add(Instance.fromJson((JsonObject) i)));
            return result;
        });
    }

    @Override
    public Future<Void> setStatus(String instanceId, InstanceStatus status, String reason) {
        JsonObject body = new JsonObject().put("status", status.wireName());
        if (reason != null) {
            body.put("reason", reason);
        }
        return call(HttpMethod.PUT, "/v1/instances/" + encode(instanceId) + "/status", body).mapEmpty();
    }

    @Override
    public Future<Instance> instance(String instanceId) {
        return call(HttpMethod.GET, "/v1/instances/" + encode(instanceId), null)
                .map(json -> Instance.fromJson(json.getJsonObject("instance")));
    }

    @Override
    public Future<List<ServiceSummary>> services() {
        return call(HttpMethod.GET, "/v1/services", null).map(json -> {
            List<ServiceSummary> result = new ArrayList<>();
            JsonArray services = json.getJsonArray("services");
            services.forEach(s -> result.add(ServiceSummary.fromJson((JsonObject) s)));
            return result;
        });
    }

    @Override
    public InstanceWatch watch(String service) {
        WatchingCache watch = new WatchingCache(vertx, http, options, service, watches::remove);
        watches.add(watch);
        watch.start();
        return watch;
    }

    @Override
    public Future<Void> close() {
        List<Future<Void>> pending = new ArrayList<>();
        registrations.forEach(r -> pending.add(r.deregister()));
        watches.forEach(WatchingCache::close);
        return Future.join(pending).transform(ignored -> http.close());
    }

    /** Registers or updates {@code instance}; answers what the registry stored. */
    Future<Instance> put(Instance instance) {
        return call(HttpMethod.PUT, "/v1/instances/" + encode(instance.id()), registrationBody(instance))
                .map(json -> Instance.fromJson(json.getJsonObject("instance")));
    }

    /** Sends one request and reads its JSON answer; a non-2xx answer fails with the registry's error. */
    Future<JsonObject> call(HttpMethod method, String uri, JsonObject body) {
        if (Context.isOnVertxThread()) {
            return send(method, uri, body);
        }
        Promise<JsonObject> result = Promise.promise();
        context.runOnContext(v -> send(method, uri, body).onComplete(result));
        return result.future();
    }

    private Future<JsonObject> send(HttpMethod method, String uri, JsonObject body) {
        RequestOptions request = new RequestOptions()
                .setMethod(method)
                .setHost(options.getUrl().getHost())
                .setPort(port(options))
                .setSsl("https".equals(options.getUrl().getScheme()))
                .setURI(basePath(options) + uri)
                .setTimeout(options.getRequestTimeoutMs());
        if (options.getToken() != null) {
            request.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + options.getToken());
        }
        if (body != null) {
            request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        }
        return http.request(request)
                .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
                .compose(resp -> resp.body().compose(buffer -> {
                    if (resp.statusCode() / 100 == 2) {
                        return Future.succeededFuture(buffer.length() == 0 ? new JsonObject() : buffer.toJsonObject());
                    }
                    return Future.failedFuture(HttpFailure.fromResponse(resp.statusCode(), buffer.toString()));
                }));
    }

    /** The body of {@code PUT /v1/instances/{id}}: the fields a client may set. */
    static JsonObject registrationBody(Instance instance) {
        JsonObject json = instance.toJson();
        json.remove("id");
        json.remove("statusReason");
        json.remove("registeredAt");
        json.remove("updatedAt");
        return json;
    }

    static int port(RegistryClientOptions options) {
        int port = options.getUrl().getPort();
        return port > 0 ? port : "https".equals(options.getUrl().getScheme()) ? 443 : 80;
    }

    static String basePath(RegistryClientOptions options) {
        String path = options.getUrl().getRawPath();
        return path == null || path.equals("/") ? "" : path.replaceAll("/+$", "");
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
