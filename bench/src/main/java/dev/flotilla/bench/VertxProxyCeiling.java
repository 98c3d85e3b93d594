package dev.flotilla.bench;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.balance.Strategy;
import dev.flotilla.core.balance.Upstream;
import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The other half of {@link NettyProxyCeiling}'s question, for bench/gateway-ceiling.sh: the same bare proxy
 * (a route match, a pick, hop-by-hop headers dropped, {@code X-Forwarded-*}, a latency timer; no bodies, retries,
 * limits or tracing) with Vert.x's HTTP server on the client side, and on the upstream side either Vert.x's
 * HTTP client ({@code vertx}) or Netty's codec on the verticle's own event loop with a pool per loop
 * ({@code netty}). With the Netty ceiling it splits the cost of the gateway's layers: the server half, the
 * client half, and what the gateway's features add. Not part of the product.
 *
 * <p>Usage: {@code VertxProxyCeiling PORT REGISTRY_URL SERVICE PREFIX vertx|netty}.
 */
public final class VertxProxyCeiling extends AbstractVerticle {


    private final int port;
    private final Upstream upstream;
    private final String prefix;
    private final Timer latency;
    private final boolean nettyClient;
    private HttpClient client;
    /** Idle upstream connections of this verticle's event loop, by instance. */
    private final Map<String, ArrayDeque<Channel>> idle = new HashMap<>();

    private VertxProxyCeiling(int port, Upstream upstream, String prefix, Timer latency, boolean nettyClient) {
        this.port = port;
        this.upstream = upstream;
        this.prefix = prefix;
        this.latency = latency;
        this.nettyClient = nettyClient;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        Upstream upstream = NettyProxyCeiling.upstream(vertx, args[1], args[2]);
        Timer latency = NettyProxyCeiling.latencyTimer(args[3]);
        boolean netty = "netty".equals(args[4]);
        vertx.deployVerticle(() -> new VertxProxyCeiling(port, upstream, args[3], latency, netty),
                new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors())).await();
        System.out.println("vertx ceiling (" + args[4] + " client) listening on http://127.0.0.1:" + port);
    }

    @Override
    public void start(Promise<Void> started) {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(64));
        vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                .<Void>mapEmpty().onComplete(started);
    }

    private void handle(HttpServerRequest request) {
        String uri = request.uri();
        if (!uri.startsWith(prefix)) {
            request.response().setStatusCode(404).end();
            return;
        }
        Endpoint endpoint = upstream.pick(Strategy.ROUND_ROBIN, null, List.of());
        if (endpoint == null) {
            request.response().setStatusCode(503).end();
            return;
        }
        MultiMap headers = request.headers();
        for (String name : NettyProxyCeiling.HOP_BY_HOP) {
            headers.remove(name);
        }
        String clientAddress = request.remoteAddress().hostAddress();
        String forwardedFor = headers.get("x-forwarded-for");
        headers.set("x-forwarded-for", forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
        headers.set("x-forwarded-proto", "http");
        String host = headers.get("host");
        if (host != null) {
            headers.set("x-forwarded-host", host);
        }
        headers.set("host", endpoint.host() + ":" + endpoint.port());
        upstream.acquire(endpoint);
        long started = System.nanoTime();
        String path = uri.substring(prefix.length() - 1);
        if (nettyClient) {
            viaNetty(request, endpoint, path, started);
        } else {
            viaVertx(request, endpoint, path, started);
        }
    }

    private void viaVertx(HttpServerRequest request, Endpoint endpoint, String path, long started) {
        HttpServerResponse response = request.response();
        client.request(new RequestOptions().setMethod(request.method()).setHost(endpoint.host())
                        .setPort(endpoint.port()).setURI(path).setHeaders(request.headers()))
                .compose(upstreamRequest -> upstreamRequest.send())
                .onComplete(ar -> {
                    if (ar.failed()) {
                        upstream.release(endpoint, true, 0);
                        response.setStatusCode(502).end();
                        return;
                    }
                    var answer = ar.result();
                    response.setStatusCode(answer.statusCode());
                    response.headers().addAll(answer.headers());
                    for (String name : NettyProxyCeiling.HOP_BY_HOP) {
                        response.headers().remove(name);
                    }
                    answer.body().onComplete(body -> {
                        long nanos = System.nanoTime() - started;
                        upstream.release(endpoint, false, nanos / 1000);
                        latency.record(nanos, TimeUnit.NANOSECONDS);
                        response.end(body.result());
                    });
                });
    }

    private void viaNetty(HttpServerRequest request, Endpoint endpoint, String path, long started) {
        // Vert.x's HTTP/1 request headers are Netty headers already: no copy.
        DefaultHttpRequest head = new DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.valueOf(request.method().name()), path,
                (io.netty.handler.codec.http.HttpHeaders) request.headers());
        Exchange exchange = new Exchange(request.response(), endpoint, started);
        String key = endpoint.id();
        ArrayDeque<Channel> pool = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
        Channel pooled;
        while ((pooled = pool.poll()) != null && !pooled.isActive()) {
            // closed while idle: drop it
        }
        if (pooled != null) {
            send(pooled, head, exchange);
            return;
        }
        new Bootstrap().group(((ContextInternal) context).nettyEventLoop()).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new UpstreamSide(key));
                    }
                })
                .connect(endpoint.host(), endpoint.port()).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        send(f.channel(), head, exchange);
                    } else {
                        upstream.release(endpoint, true, 0);
                        exchange.response().setStatusCode(502).end();
                    }
                });
    }

    private static void send(Channel channel, DefaultHttpRequest head, Exchange exchange) {
        channel.pipeline().get(UpstreamSide.class).exchange = exchange;
        channel.write(head);
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** One request in flight: where its answer goes and what it is counted against. */
    private record Exchange(HttpServerResponse response, Endpoint endpoint, long started) {
    }

    /** One upstream connection: relays the answer to the Vert.x response of the exchange in progress. */
    private final class UpstreamSide extends ChannelInboundHandlerAdapter {
        private final String key;
        Exchange exchange;
        private boolean keepAlive = true;

        UpstreamSide(String key) {
            this.key = key;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange current = exchange;
            if (msg instanceof HttpResponse answer) {
                keepAlive = !"close".equalsIgnoreCase(answer.headers().get("connection"));
                HttpServerResponse response = current.response();
                response.setStatusCode(answer.status().code());
                MultiMap headers = response.headers();
                for (Map.Entry<String, String> header : answer.headers()) {
                    headers.add(header.getKey(), header.getValue());
                }
                for (String name : NettyProxyCeiling.HOP_BY_HOP) {
                    headers.remove(name);
                }
            }
            if (msg instanceof HttpContent content) {
                if (msg instanceof LastHttpContent) {
                    exchange = null;
                    long nanos = System.nanoTime() - current.started();
                    upstream.release(current.endpoint(), false, nanos / 1000);
                    latency.record(nanos, TimeUnit.NANOSECONDS);
                    current.response().end(BufferInternal.safeBuffer(content.content()));
                    if (keepAlive) {
                        idle.computeIfAbsent(key, k -> new ArrayDeque<>()).push(ctx.channel());
                    } else {
                        ctx.close();
                    }
                } else {
                    current.response().write(BufferInternal.safeBuffer(content.content()));
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange current = exchange;
            if (current != null) {
                exchange = null;
                upstream.release(current.endpoint(), true, 0);
                current.response().reset();
            }
        }
    }
}
