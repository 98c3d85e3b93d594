package dev.flotilla.core.registry;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;

/**
 * A local copy of the registry's instances, kept current by the registry's watch stream (pushed, never
 * polled). When the stream drops it reconnects with backoff and resumes from the last revision it saw;
 * when the registry answers with a fresh snapshot instead, the differences are delivered as events, so
 * listeners never miss a change. Reads are served from memory and never block.
 */
public interface InstanceWatch {

    /** Completes once the first snapshot has arrived. */
    Future<Void> ready();

    /** The last revision applied; 0 before the first snapshot. */
    long revision();

    /** Every known instance of {@code service}, whatever its status. */
    List<Instance> instances(String service);

    /** Every known instance. */
    List<Instance> instances();

    /**
     * Calls {@code listener} on the event loop for each change applied after this call. A listener that
     * throws is logged and kept.
     */
    void addListener(Consumer<RegistryEvent> listener);

    /** True while the watch stream is connected. */
    boolean connected();

    /** Stops watching. */
    void close();
}
