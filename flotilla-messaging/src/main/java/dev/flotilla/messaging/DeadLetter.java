package dev.flotilla.messaging;

import java.time.Instant;

/**
 * A message that was given up on.
 *
 * @param message  the message, with the attempt that failed last
 * @param reason   why: the last failure's message, or what was wrong with the message itself
 * @param attempts how many times a handler had it
 * @param failedAt when it was given up on
 */
public record DeadLetter(Message message, String reason, int attempts, Instant failedAt) {
}
