package dev.flotilla.core.lifecycle;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT (Ctrl-C) so that a process's main thread can stop gracefully and exit 0,
 * as docs/architecture.md asks of every process. A JVM shutdown hook cannot do this: it runs on a dying
 * JVM whose exit status is already 143. {@code sun.misc.Signal} is the only JDK way to handle a signal; it lives
 * in {@code jdk.unsupported}, which every JDK ships.
 */
public final class Shutdown {

    private final CountDownLatch signalled = new CountDownLatch(1);

    private Shutdown() {
    }

    /** Starts listening for SIGTERM and SIGINT. */
    public static Shutdown onSignals() {
        Shutdown shutdown = new Shutdown();
        Signal.handle(new Signal("TERM"), s -> shutdown.signalled.countDown());
        Signal.handle(new Signal("INT"), s -> shutdown.signalled.countDown());
        return shutdown;
    }

    /** Asks for the same stop a signal would (a {@code down} command, for instance). */
    public void request() {
        signalled.countDown();
    }

    /** Blocks until one of the signals arrives, or {@link #request()} is called. */
    public void await() throws InterruptedException {
        signalled.await();
    }
}
