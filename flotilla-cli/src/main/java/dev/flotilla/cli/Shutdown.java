package dev.flotilla.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT (Ctrl-C) so that the command's main thread can stop gracefully and exit 0,
 * as DESIGN.md asks of every process. A JVM shutdown hook cannot do this: it runs on a dying JVM whose
 * exit status is already 143. {@code sun.misc.Signal} is the only JDK way to handle a signal; it lives
 * in {@code jdk.unsupported}, which every JDK ships.
 */
final class Shutdown {

    private final CountDownLatch signalled = new CountDownLatch(1);

    private Shutdown() {
    }

    static Shutdown onSignals() {
        Shutdown shutdown = new Shutdown();
        Signal.handle(new Signal("TERM"), s -> shutdown.signalled.countDown());
        Signal.handle(new Signal("INT"), s -> shutdown.signalled.countDown());
        return shutdown;
    }

    void await() throws InterruptedException {
        signalled.await();
    }
}
