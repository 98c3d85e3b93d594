package dev.flotilla.realtime.protocol;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/** A packet ready for the wire: its text, then its binary attachments, each its own Engine.IO message. */
public record EncodedPacket(String text, List<Buffer> attachments) {
}
