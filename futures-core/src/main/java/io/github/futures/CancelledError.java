package io.github.futures;

import java.util.concurrent.CancellationException;

/**
 * Thrown when the result of a cancelled future is requested (Python's {@code CancelledError}).
 *
 * <p>It extends {@link CancellationException}, so code written against
 * {@link java.util.concurrent.Future#get()} handles it as usual.
 *
 * @since 0.1.0
 */
public class CancelledError extends CancellationException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no message. */
    public CancelledError() {
        super();
    }

    /**
     * Creates an exception with a message.
     *
     * @param message the detail message
     */
    public CancelledError(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public CancelledError(String message, Throwable cause) {
        super(message);
        if (cause != null) {
            initCause(cause);
        }
    }
}
