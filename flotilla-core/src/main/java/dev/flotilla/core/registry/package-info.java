/**
 * The registry's model ({@link dev.flotilla.core.registry.Instance},
 * {@link dev.flotilla.core.registry.RegistryEvent}) and its client
 * ({@link dev.flotilla.core.registry.RegistryClient}): register with a lease kept alive, discover, and
 * watch into a local cache ({@link dev.flotilla.core.registry.InstanceWatch}).
 *
 * <p>Threading: the client runs on Vert.x event loops and never blocks; watch listeners are called on the
 * event loop of the context that created the watch.
 */
package dev.flotilla.core.registry;
