package io.github.futures;

/**
 * Thrown when an executor can no longer run calls: a worker failed to initialize or died (Python's {@code BrokenExecutor}).
 *
 * @since 0.1.0
 */
public class BrokenExecutor extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no message. */
    public BrokenExecutor() {
        super();
    }

    /**
     * Creates an exception with a message.
     *
     * @param message the detail message
     */
    public BrokenExecutor(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public BrokenExecutor(String message, Throwable cause) {
        super(message, cause);
    }
}
