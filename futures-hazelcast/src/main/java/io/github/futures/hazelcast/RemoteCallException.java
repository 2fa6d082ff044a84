package io.github.futures.hazelcast;

/**
 * Stands in for an exception thrown by a call on a cluster member when that exception could not be
 * serialized back: its message is the original class name and message, its stack trace the
 * original (remote) stack trace.
 *
 * @since 0.1.0
 */
public final class RemoteCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the original exception's class name and message
     */
    public RemoteCallException(String message) {
        super(message);
    }
}
