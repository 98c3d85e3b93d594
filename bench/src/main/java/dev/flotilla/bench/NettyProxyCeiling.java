package dev.flotilla.bench;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.balance.OutlierPolicy;
import dev.flotilla.core.balance.Strategy;
import dev.flotilla.core.balance.Upstream;
import dev.flotilla.core.balance.Upstreams;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.version.VersionRange;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling of the gateway's planned data path, for bench/gateway-ceiling.sh: a reverse proxy written
 * straight on Netty's HTTP/1 codecs and channels that does what the gateway's default route does on every
 * request (a route match, a pick and its accounting in core's {@link Upstream}, hop-by-hop headers dropped,
 * {@code X-Forwarded-*} added, a latency timer) and nothing more: no retries, request bodies, TLS, HTTP/2,
 * limits, strict decoding or tracing. Not part of the product and not a gateway; it answers one question:
 * how fast can a Netty-level path be on this machine, beside nginx, before any of the rest is added.
 *
 * <p>Usage: {@code NettyProxyCeiling PORT REGISTRY_URL SERVICE PREFIX}. One event loop per core, each with
 * its own pool of upstream connections (no locks), the request head forwarded as it was parsed.
 */
public final class NettyProxyCeiling {

    /** The hop-by-hop headers both ceilings drop, each way. */
    static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-connection", "proxy-authenticate", "proxy-authorization");

    private final Upstream upstream;
    private final String prefix;
    private final Timer latency;

    private NettyProxyCeiling(Upstream upstream, String prefix, Timer latency) {
        this.upstream = upstream;
        this.prefix = prefix;
        this.latency = latency;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        NettyProxyCeiling proxy = new NettyProxyCeiling(upstream(Vertx.vertx(), args[1], args[2]), args[3],
                latencyTimer(args[3]));
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                EpollIoHandler.newFactory());
        new ServerBootstrap().group(loops).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), proxy.new ClientSide());
                    }
                }).bind("127.0.0.1", port).sync();
        System.out.println("ceiling listening on http://127.0.0.1:" + port);
    }

    /** The service's instances, as the gateway sees them: core's balancing over the registry's watch. */
    static Upstream upstream(Vertx vertx, String registryUrl, String service) throws Exception {
        RegistryClient registry = RegistryClient.create(vertx, new RegistryClientOptions(registryUrl));
        var watch = registry.watch(null);
        watch.ready().await(10, TimeUnit.SECONDS);
        return new Upstreams(watch).get(service, VersionRange.parse("*"), OutlierPolicy.DEFAULT);
    }

    /** The latency timer the gateway keeps per route, with its histogram. */
    static Timer latencyTimer(String route) {
        return Timer.builder("ceiling.requests").tag("route", route).publishPercentileHistogram()
                .register(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Idle upstream connections of one event loop, by instance: touched by that loop only. */
    private static final ThreadLocal<Map<String, ArrayDeque<Channel>>> POOLS = ThreadLocal.withInitial(HashMap::new);

    /** One client connection: requests arrive here, one at a time (no pipelining in this experiment). */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        private Channel upstreamChannel;
        private final List<Object> pending = new ArrayList<>(2);

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                start(ctx, request);
            }
            if (msg instanceof HttpContent content) {
                if (upstreamChannel != null && upstreamChannel.isActive() && pending.isEmpty()) {
                    upstreamChannel.write(content);
                    if (content instanceof LastHttpContent) {
                        upstreamChannel.flush();
                    }
                } else {
                    pending.add(content);
                }
            }
        }

        private void start(ChannelHandlerContext ctx, HttpRequest request) {
            String uri = request.uri();
            if (!uri.startsWith(prefix)) {
                answer(ctx, HttpResponseStatus.NOT_FOUND);
                return;
            }
            Endpoint endpoint = upstream.pick(Strategy.ROUND_ROBIN, null, List.of());
            if (endpoint == null) {
                answer(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE);
                return;
            }
            HttpHeaders headers = request.headers();
            for (String name : HOP_BY_HOP) {
                headers.remove(name);
            }
            String client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
            String forwardedFor = headers.get("x-forwarded-for");
            headers.set("x-forwarded-for", forwardedFor == null ? client : forwardedFor + ", " + client);
            headers.set("x-forwarded-proto", "http");
            String host = headers.get(HttpHeaderNames.HOST);
            if (host != null) {
                headers.set("x-forwarded-host", host);
            }
            headers.set(HttpHeaderNames.HOST, endpoint.host() + ":" + endpoint.port());
            request.setUri(uri.substring(prefix.length() - 1));
            upstream.acquire(endpoint);
            Exchange exchange = new Exchange(ctx, endpoint, System.nanoTime());
            String key = endpoint.id();
            ArrayDeque<Channel> idle = POOLS.get().computeIfAbsent(key, k -> new ArrayDeque<>());
            Channel pooled;
            while ((pooled = idle.poll()) != null && !pooled.isActive()) {
                // closed while idle: drop it
            }
            pending.add(0, request);
            if (pooled != null) {
                send(pooled, exchange);
                return;
            }
            EventLoop loop = ctx.channel().eventLoop();
            new Bootstrap().group(loop).channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new UpstreamSide(key));
                        }
                    })
                    .connect(endpoint.host(), endpoint.port()).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            send(f.channel(), exchange);
                        } else {
                            upstream.release(endpoint, true, 0);
                            pending.clear();
                            answer(ctx, HttpResponseStatus.BAD_GATEWAY);
                        }
                    });
        }

        private void send(Channel channel, Exchange exchange) {
            upstreamChannel = channel;
            channel.pipeline().get(UpstreamSide.class).exchange = exchange;
            for (Object message : pending) {
                channel.write(message);
            }
            pending.clear();
            channel.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending.clear();
        }
    }

    /** One request in flight: where its answer goes and what it is counted against. */
    private record Exchange(ChannelHandlerContext client, Endpoint endpoint, long started) {
    }

    /** One upstream connection: relays the answer to the client of the exchange in progress. */
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
            if (msg instanceof HttpResponse response) {
                keepAlive = !"close".equalsIgnoreCase(response.headers().get(HttpHeaderNames.CONNECTION));
                for (String name : HOP_BY_HOP) {
                    response.headers().remove(name);
                }
            }
            if (msg instanceof LastHttpContent) {
                current.client().writeAndFlush(msg);
                exchange = null;
                long nanos = System.nanoTime() - current.started();
                upstream.release(current.endpoint(), false, nanos / 1000);
                latency.record(nanos, TimeUnit.NANOSECONDS);
                if (keepAlive) {
                    POOLS.get().computeIfAbsent(key, k -> new ArrayDeque<>()).push(ctx.channel());
                } else {
                    ctx.close();
                }
            } else {
                current.client().write(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange current = exchange;
            if (current != null) {
                exchange = null;
                upstream.release(current.endpoint(), true, 0);
                current.client().close();
            }
        }
    }

    private static void answer(ChannelHandlerContext ctx, HttpResponseStatus status) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(response);
    }
}
