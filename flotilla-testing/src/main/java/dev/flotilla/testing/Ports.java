package dev.flotilla.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free ports for tests that must name a port before something listens on it (a fleet file, PORT). */
public final class Ports {

    private Ports() {
    }

    /** A port nothing listens on right now (the kernel's choice, so tests never collide on fixed ones). */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
