/** Semantic versions and npm-style version ranges, used to discover {@code service@range}. */
package dev.flotilla.core.version;
