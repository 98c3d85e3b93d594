package dev.flotilla.realtime;

import io.vertx.core.Future;

/**
 * Runs before a socket joins its namespace (Socket.IO's {@code io.use}): it sees the handshake and the
 * client's {@code auth} payload. A failed future refuses the connection: with a {@link ConnectionRefused},
 * the client's {@code connect_error} carries its message and data; with any other failure, its message.
 */
@FunctionalInterface
public interface Middleware {

    Future<Void> check(Socket socket);
}
