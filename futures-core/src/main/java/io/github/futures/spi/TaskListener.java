package io.github.futures.spi;

/**
 * Told about every call of an executor as it starts and as it ends; metrics bind one. Methods are
 * called in executor threads on the hot path: they must be quick, must not block and must not
 * throw. Only when at least one listener is registered does the executor read the clock for them.
 */
public interface TaskListener {

    /**
     * A call started.
     *
     * @param queueWaitNanos time from submit to start
     */
    default void taskStarted(long queueWaitNanos) {
    }

    /**
     * A call ended, or its future was cancelled before it started.
     *
     * @param executionNanos time from start to done; 0 for a call that never started
     * @param outcome how it ended
     */
    default void taskFinished(long executionNanos, Outcome outcome) {
    }

    /** How a future ended. */
    enum Outcome {
        /** Finished with a result. */
        SUCCESS,
        /** Finished with an exception (including a broken pool failing it). */
        FAILURE,
        /** Cancelled before it started. */
        CANCELLED
    }
}
