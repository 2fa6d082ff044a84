package io.github.futures;

/**
 * Thrown when a {@link ThreadPoolExecutor} is broken because a worker's initializer failed (Python's {@code BrokenThreadPool}).
 *
 * @since 0.1.0
 */
public class BrokenThreadPool extends BrokenExecutor {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no message. */
    public BrokenThreadPool() {
        super();
    }

    /**
     * Creates an exception with a message.
     *
     * @param message the detail message
     */
    public BrokenThreadPool(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public BrokenThreadPool(String message, Throwable cause) {
        super(message, cause);
    }
}
