package dev.flotilla.core.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1 server connection whose client may still be sending, the way nginx's
 * {@code lingering_close} does: the answer is followed by a FIN, and what the client still sends is read
 * and thrown away until it stops or a time limit passes; only then is the socket closed.
 *
 * <p>Why: closing a socket that has unread bytes makes the kernel send a reset, and a reset makes the
 * client's kernel discard the answer it has received but not yet read. A client uploading a body that
 * is refused with 413 would see "connection reset" instead of the 413. Vert.x has no such close and
 * Netty leaves it to the application, so it is written here, on Netty's channel.
 */
public final class LingeringClose {

    /** Close when the client has sent nothing for this long (nginx's {@code lingering_timeout}). */
    static final long QUIET_MS = 5_000;
    /** Close at the latest this long after the answer (nginx's {@code lingering_time}). */
    static final long LIMIT_MS = 30_000;

    private LingeringClose() {
    }

    /** Closes {@code connection} once its queued writes are out, lingering if the client may still send. */
    public static void close(HttpConnection connection) {
        if (!(connection instanceof Http1xServerConnection http1)) {
            connection.close(); // HTTP/2 ends streams, not sockets
            return;
        }
        Channel channel = http1.channelHandlerContext().channel();
        if (!(channel instanceof SocketChannel socket) || channel.pipeline().get(SslHandler.class) != null) {
            connection.close(); // a half-close under TLS would skip close_notify
            return;
        }
        channel.eventLoop().execute(() -> {
            if (!channel.isActive() || channel.pipeline().get(Discard.class) != null) {
                return;
            }
            channel.pipeline().addFirst(new Discard());
            channel.config().setAutoRead(true);
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener(written -> socket.shutdownOutput());
        });
    }

    /** Reads and drops everything; closes after {@link #QUIET_MS} of silence or {@link #LIMIT_MS} in all. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        private ScheduledFuture<?> quiet;
        private ScheduledFuture<?> limit;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            limit = ctx.executor().schedule(() -> ctx.channel().close(), LIMIT_MS, TimeUnit.MILLISECONDS);
            restartQuiet(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            restartQuiet(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            quiet.cancel(false);
            limit.cancel(false);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.channel().close(); // a reset from the client ends the linger; nothing to report
        }

        private void restartQuiet(ChannelHandlerContext ctx) {
            if (quiet != null) {
                quiet.cancel(false);
            }
            quiet = ctx.executor().schedule(() -> ctx.channel().close(), QUIET_MS, TimeUnit.MILLISECONDS);
        }
    }
}
