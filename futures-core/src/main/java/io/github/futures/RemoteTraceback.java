package io.github.futures;

/**
 * The stack trace of an exception as it was in the worker process, attached to the exception that
 * a process pool's future fails with: Python's {@code concurrent.futures.process._RemoteTraceback}.
 *
 * <p>The exception thrown by a task travels to the parent serialized, so it keeps its type, its
 * message and its own (remote) stack frames. The pool adds one of these as its cause (or, when the
 * exception already has a cause, as a suppressed exception) so that a printed stack trace shows
 * where the call failed in the worker, as the worker printed it:
 *
 * <pre>
 * java.lang.IllegalStateException: no such order
 *     at com.acme.Orders.load(Orders.java:42)
 *     ...
 * Caused by: io.github.futures.RemoteTraceback:
 * """
 * java.lang.IllegalStateException: no such order
 *     at com.acme.Orders.load(Orders.java:42)
 *     ...
 * """
 * </pre>
 *
 * <p>It carries no stack of its own.
 *
 * @since 0.1.0
 */
public final class RemoteTraceback extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The remote stack trace, as the worker printed it. */
    private final String trace;

    /**
     * A remote traceback.
     *
     * @param trace the stack trace as printed in the worker
     */
    public RemoteTraceback(String trace) {
        super("\n\"\"\"\n" + trace + "\"\"\"", null, false, false);
        this.trace = trace;
    }

    /**
     * The stack trace as printed in the worker.
     *
     * @return the text
     */
    public String trace() {
        return trace;
    }
}
