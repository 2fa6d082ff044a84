package io.github.futures;

/**
 * Thrown when a {@link ProcessPoolExecutor} is broken because a worker process failed to start, failed to initialize or died abruptly (Python's {@code BrokenProcessPool}).
 *
 * @since 0.1.0
 */
public class BrokenProcessPool extends BrokenExecutor {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no message. */
    public BrokenProcessPool() {
        super();
    }

    /**
     * Creates an exception with a message.
     *
     * @param message the detail message
     */
    public BrokenProcessPool(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public BrokenProcessPool(String message, Throwable cause) {
        super(message, cause);
    }
}
