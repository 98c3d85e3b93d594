/** Time as Flotilla's algorithms read it: an injectable {@link dev.flotilla.core.time.Ticker}. */
package dev.flotilla.core.time;
