package io.github.futures;

/**
 * Thrown when an operation is not allowed in the future's current state, for example setting the result of a future that is already done (Python's {@code InvalidStateError}).
 *
 * @since 0.1.0
 */
public class InvalidStateError extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no message. */
    public InvalidStateError() {
        super();
    }

    /**
     * Creates an exception with a message.
     *
     * @param message the detail message
     */
    public InvalidStateError(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public InvalidStateError(String message, Throwable cause) {
        super(message, cause);
    }
}
