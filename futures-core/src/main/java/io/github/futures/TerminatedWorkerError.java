package io.github.futures;

/**
 * The failure of a call whose worker process died while it ran, in a {@link ProcessPoolExecutor}
 * that replaces dead workers ({@link WorkerDeathPolicy#REPLACE_WORKER}). The message names the
 * worker's pid, its exit code or signal and the call (its class, never its arguments); the pool
 * itself is not broken and goes on with a new worker.
 *
 * @since 0.2.0
 */
public class TerminatedWorkerError extends BrokenProcessPool {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no message. */
    public TerminatedWorkerError() {
        super();
    }

    /**
     * Creates an exception with a message.
     *
     * @param message the detail message
     */
    public TerminatedWorkerError(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the detail message
     * @param cause the cause, may be {@code null}
     */
    public TerminatedWorkerError(String message, Throwable cause) {
        super(message, cause);
    }
}
