package dev.flotilla.cli;

/** Turns a failure to start a server into one line that says what to do about it. */
final class StartFailures {

    private StartFailures() {
    }

    static String describe(Throwable e, String portOption) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        if (message != null && message.contains("Address already in use")) {
            return "the port is already in use (" + message + "); choose another with " + portOption;
        }
        return message == null ? cause.getClass().getName() : message;
    }
}
