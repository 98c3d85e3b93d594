/** What every Flotilla HTTP server and client shares: the JSON error format. */
package dev.flotilla.core.http;
