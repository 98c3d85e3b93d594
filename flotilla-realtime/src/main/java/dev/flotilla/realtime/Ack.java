package dev.flotilla.realtime;

/**
 * The answer to an event a client sent with an acknowledgement callback. Only the first {@link #send} counts;
 * when the client asked for none, {@link #requested()} is false and sending does nothing.
 */
public interface Ack {

    void send(Object... args);

    boolean requested();
}
