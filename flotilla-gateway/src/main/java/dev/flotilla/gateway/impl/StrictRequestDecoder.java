package dev.flotilla.gateway.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;

/**
 * Vert.x's HTTP/1 request decoder (Netty's, underneath), made strict where request smuggling lives. It
 * replaces Vert.x's decoder on every client connection of the gateway ({@link ClientConnections}).
 *
 * <p>Netty is lenient in ways RFC 9112 allows a server but a proxy cannot afford, because the service
 * behind it may read the same bytes differently: it lets {@code Transfer-Encoding} silently win over
 * {@code Content-Length} and keeps the connection open, reads a chunk size up to the first space or
 * control character and ignores the rest, lets a chunk size wrap around, accepts a request without a
 * {@code Host}, and passes control characters in the target. Each such request is refused here (and so is
 * a duplicate or malformed {@code Content-Length}, so that every framing rule lives in one place), while
 * Netty still parses: the message is marked as a decoding failure, Vert.x hands it to the gateway's
 * invalid-request handler (400 and close), and every later byte of the connection is discarded, so
 * nothing read after the refusal can reach a service as a request of its own.
 *
 * <p>The parsing itself stays Netty's: this class only checks the parsed head, and, for the one place
 * Netty does not expose (the chunk-size line), the raw line before Netty reads it. Knowing when the next
 * line is a chunk size needs Netty's private parser state, read through a {@link VarHandle}; the class
 * fails to load if a Netty upgrade renames it, and the gateway's smuggling tests fail with it.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

    /** The longest chunk size accepted: Netty keeps the size in an int. */
    private static final int MAX_CHUNK_SIZE_DIGITS = 8;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.privateLookupIn(HttpObjectDecoder.class, MethodHandles.lookup())
                    .findVarHandle(HttpObjectDecoder.class, "currentState",
                            Class.forName("io.netty.handler.codec.http.HttpObjectDecoder$State"));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("Netty's HttpObjectDecoder has no currentState field: " + e);
        }
    }

    /** Set once a request was refused: the rest of the connection is not HTTP we can trust. */
    private boolean refused;

    StrictRequestDecoder(HttpServerOptions options) {
        super(options);
    }

    /** True while part of a request (its head, or a body Netty is still reading) sits in this decoder. */
    boolean holdsPartialRequest() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (refused) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (((Enum<?>) STATE.get(this)).name().equals("READ_CHUNK_SIZE")) {
            String problem = chunkSizeLineProblem(buffer);
            if (problem != null) {
                refused = true;
                buffer.skipBytes(buffer.readableBytes());
                LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                failed.setDecoderResult(DecoderResult.failure(new MalformedBodyException(problem)));
                out.add(failed);
                return;
            }
        }
        super.decode(ctx, buffer, out);
    }

    /**
     * Called by Netty for every message once its head is parsed and before its body framing is decided:
     * the one hook where the whole head can be checked. An exception here becomes a decoding failure.
     */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        String problem = headProblem((HttpRequest) message);
        if (problem != null) {
            refused = true;
            throw new IllegalArgumentException(problem);
        }
        return super.isContentAlwaysEmpty(message);
    }

    /** What makes a request head unsafe to forward, or null. */
    static String headProblem(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        // Netty returns its constants for the exact texts only; anything else (lower case included: RFC 9112
        // 2.3 makes the name case-sensitive) would get a bare 501 from Vert.x.
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return "unsupported HTTP version '" + printable(version.text()) + "' (HTTP/1.1 or HTTP/1.0 expected)";
        }
        String target = targetProblem(request.uri());
        if (target != null) {
            return target;
        }
        HttpHeaders headers = request.headers();
        boolean http10 = version == HttpVersion.HTTP_1_0;
        List<String> hosts = headers.getAll("Host");
        if (hosts.size() > 1) {
            return "more than one Host header";
        }
        if (hosts.isEmpty() && !http10) {
            return "no Host header (required in HTTP/1.1)";
        }
        if (hosts.size() == 1 && !validHost(hosts.get(0))) {
            return "invalid Host header '" + printable(hosts.get(0)) + "'";
        }
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey();
            if (name.isEmpty()) {
                return "a header with an empty name";
            }
            if (name.indexOf('_') >= 0 && isFramingAlias(name)) {
                return "header '" + name + "' looks like a framing header; '_' is not '-'";
            }
        }
        List<String> lengths = headers.getAll("Content-Length");
        if (lengths.size() > 1) {
            return "more than one Content-Length";
        }
        if (lengths.size() == 1 && RequestChecks.contentLength(lengths.get(0)) < 0) {
            return "invalid Content-Length '" + printable(lengths.get(0)) + "'";
        }
        List<String> encodings = headers.getAll("Transfer-Encoding");
        if (!encodings.isEmpty()) {
            if (http10) {
                return "Transfer-Encoding in an HTTP/1.0 request";
            }
            if (encodings.size() > 1 || !encodings.get(0).equalsIgnoreCase("chunked")) {
                return "unsupported Transfer-Encoding '" + printable(String.join(", ", encodings))
                        + "' (only chunked is accepted)";
            }
            if (!lengths.isEmpty()) {
                return "both Content-Length and Transfer-Encoding are present";
            }
        }
        return null;
    }

    /**
     * RFC 9112 3.2: origin-form ({@code /path?query}), or {@code *} for OPTIONS; visible ASCII only, no
     * fragment, no backslash. Absolute-form and authority-form are for forward proxies, which this is not.
     */
    static String targetProblem(String target) {
        if (target.equals("*")) {
            return null;
        }
        if (target.isEmpty() || target.charAt(0) != '/') {
            return "the request target must start with '/'";
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "a control, space or non-ASCII character (0x" + Integer.toHexString(c)
                        + ") in the request target";
            }
            if (c == '#' || c == '\\') {
                return "'" + c + "' in the request target";
            }
        }
        return null;
    }

    /** A host name or IP literal, with an optional port: RFC 3986's reg-name characters and no more. */
    static boolean validHost(String host) {
        if (host.isEmpty() || host.length() > 255) {
            return false;
        }
        int end = host.length();
        int colon = host.lastIndexOf(':');
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 0 || (close != end - 1 && host.charAt(close + 1) != ':')) {
                return false;
            }
            for (int i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            return close == end - 1 || digitsOnly(host, close + 2, end);
        }
        if (colon >= 0) {
            if (!digitsOnly(host, colon + 1, end)) {
                return false;
            }
            end = colon;
        }
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
                    || c == '.' || c == '_' || c == '~';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean digitsOnly(String s, int from, int to) {
        if (from >= to || to - from > 5) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isFramingAlias(String name) {
        String dashed = name.replace('_', '-');
        return dashed.equalsIgnoreCase("transfer-encoding") || dashed.equalsIgnoreCase("content-length")
                || dashed.equalsIgnoreCase("host") || dashed.equalsIgnoreCase("connection");
    }

    /**
     * Checks the chunk-size line at the buffer's reader index (RFC 9112 7.1: {@code 1*HEXDIG [ chunk-ext ]
     * CRLF}), before Netty reads it. Null when the line is fine or not complete yet (the bytes so far are
     * then fine too). No whitespace anywhere: Netty would stop at it and ignore what follows, and so might
     * not the service behind.
     */
    static String chunkSizeLineProblem(ByteBuf buffer) {
        int start = buffer.readerIndex();
        int end = buffer.writerIndex();
        int digits = 0;
        int i = start;
        for (; i < end; i++) {
            byte b = buffer.getByte(i);
            if (Character.digit(b, 16) < 0) {
                break;
            }
            if (++digits > MAX_CHUNK_SIZE_DIGITS) {
                return "chunk size too large";
            }
        }
        if (digits == MAX_CHUNK_SIZE_DIGITS && Character.digit(buffer.getByte(start), 16) >= 8) {
            return "chunk size too large";
        }
        if (i == end) {
            return null;
        }
        if (digits == 0) {
            return "a chunk size must start with a hex digit";
        }
        byte b = buffer.getByte(i);
        if (b == ';') {
            for (i++; i < end; i++) {
                b = buffer.getByte(i);
                if (b == '\r') {
                    break;
                }
                if (b < 0x21 || b > 0x7e) {
                    return "a control or space character in a chunk extension";
                }
            }
            if (i == end) {
                return null;
            }
        }
        if (b != '\r') {
            return "junk after a chunk size (0x" + Integer.toHexString(b & 0xff) + ")";
        }
        if (i + 1 < end && buffer.getByte(i + 1) != '\n') {
            return "a chunk size line must end with CRLF";
        }
        return null;
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), 64));
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c >= 0x7f ? '?' : c);
        }
        return out.toString();
    }

    /** A request body whose framing cannot be trusted: the client's fault, answered 400. */
    static final class MalformedBodyException extends RuntimeException {
        MalformedBodyException(String message) {
            super(message, null, false, false);
        }
    }
}
