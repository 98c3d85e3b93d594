/**
 * The registry, Flotilla's control plane. Start one with {@link dev.flotilla.registry.RegistryServer#start};
 * tune it with {@link dev.flotilla.registry.RegistryOptions} and {@link dev.flotilla.registry.HealthCheckConfig}.
 *
 * <p>Threading: a registry runs on one Vert.x event loop (its verticle's); its state, watch streams,
 * health checks and lease expiry are confined to it, so nothing in {@code impl} takes a lock.
 */
package dev.flotilla.registry;
