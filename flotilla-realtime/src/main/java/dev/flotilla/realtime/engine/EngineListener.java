package dev.flotilla.realtime.engine;

import io.vertx.core.buffer.Buffer;

/** What the layer above (Socket.IO) hears from one Engine.IO session, always on the session's thread. */
public interface EngineListener {

    /** A text message (the data of a {@code 4} packet). */
    void onText(String text);

    /** A binary message. */
    void onBinary(Buffer data);

    /** The session is closed: {@code reason} is one of Engine.IO's ("transport close", "ping timeout"...). */
    void onClose(String reason);
}
