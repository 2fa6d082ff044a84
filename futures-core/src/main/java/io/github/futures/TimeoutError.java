package io.github.futures;

/**
 * Thrown when a future or an iteration over futures is not done within its timeout (Python's {@code TimeoutError}).
 *
 * @since 0.1.0
 */
public class TimeoutError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no message. */
    public TimeoutError() {
        super();
    }

    /**
     * Creates an exception with a message.
     *
     * @param message the detail message
     */
    public TimeoutError(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public TimeoutError(String message, Throwable cause) {
        super(message, cause);
    }
}
