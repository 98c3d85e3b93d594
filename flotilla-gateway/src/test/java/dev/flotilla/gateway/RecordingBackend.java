package dev.flotilla.gateway;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that keeps the exact bytes of every connection the gateway opens to it, and the requests
 * Netty's decoder finds in them (with any decoding failure), so a test can tell "exactly one well-framed
 * request" from "two requests" or "one the backend read differently". Registered UP in a registry.
 *
 * <p>Paths steer it: a path containing {@code hints} sends a
 * 103 Early Hints first; a path containing {@code refuse-upgrade} answers 403; any other answers 200
 * with body {@code ok}. With {@code closeAfterResponse}, it closes each connection right after answering,
 * without saying {@code Connection: close} (a backend whose keep-alive timeout is shorter than the pool's).
 */
final class RecordingBackend implements AutoCloseable {

    /** One request as the backend decoded it. */
    record Request(String method, String uri, io.netty.handler.codec.http.HttpHeaders headers, String body,
            boolean decodedCleanly) {
    }

    /** One connection: every byte received, every request decoded, and whether it is closed. */
    static final class Connection {
        final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        final List<Request> requests = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        synchronized String rawText() {
            return raw.toString(StandardCharsets.ISO_8859_1);
        }
    }

    final List<Connection> connections = new CopyOnWriteArrayList<>();
    final AtomicInteger requestCount = new AtomicInteger();
    volatile boolean closeAfterResponse;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final Vertx vertx = Vertx.vertx();
    private final RegistryClient registry;

    RecordingBackend(String registryUrl, String service, String id) throws Exception {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        Connection connection = new Connection();
                        connections.add(connection);
                        channel.closeFuture().addListener(f -> connection.closed = true);
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf bytes = (ByteBuf) msg;
                                byte[] copy = new byte[bytes.readableBytes()];
                                bytes.getBytes(bytes.readerIndex(), copy);
                                synchronized (connection) {
                                    connection.raw.writeBytes(copy);
                                }
                                ctx.fireChannelRead(msg);
                            }
                        }, new HttpServerCodec(), new HttpObjectAggregator(16 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        answer(ctx, connection, request);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        registry = RegistryClient.create(vertx, new RegistryClientOptions(registryUrl));
        registry.register(Instance.builder(id, service, "1.0.0").host("127.0.0.1").port(port())
                        .ttlSeconds(5).status(InstanceStatus.UP).build())
                .await(10, TimeUnit.SECONDS);
    }

    private void answer(ChannelHandlerContext ctx, Connection connection, FullHttpRequest request) {
        String uri = request.uri();
        requestCount.incrementAndGet();
        connection.requests.add(new Request(request.method().name(), uri, request.headers().copy(),
                request.content().toString(StandardCharsets.ISO_8859_1), request.decoderResult().isSuccess()));
        if (!request.decoderResult().isSuccess()) {
            ctx.close();
            return;
        }
        if (uri.contains("hints")) {
            DefaultFullHttpResponse hints = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(103));
            hints.headers().set("Link", "</style.css>; rel=preload; as=style");
            ctx.write(hints);
        }
        HttpResponseStatus status = uri.contains("refuse-upgrade") ? HttpResponseStatus.FORBIDDEN
                : HttpResponseStatus.OK;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
        response.headers().set("Content-Length", 2);
        if (closeAfterResponse) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Every request any connection carried. */
    List<Request> requests() {
        return connections.stream().flatMap(c -> c.requests.stream()).toList();
    }

    long openConnections() {
        return connections.stream().filter(c -> !c.closed).count();
    }

    void clear() {
        connections.removeIf(c -> c.closed);
        connections.forEach(c -> c.requests.clear());
        requestCount.set(0);
    }

    @Override
    public void close() throws Exception {
        registry.close();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        vertx.close().await(10, TimeUnit.SECONDS);
    }
}
