package io.github.futures;

/**
 * What a {@link ProcessPoolExecutor} does when one of its worker processes dies while it is not
 * asked to (killed, {@code System.exit} in a call, a JVM crash, out of memory).
 *
 * <pre>{@code
 * var pool = ProcessPoolExecutor.builder()
 *         .onWorkerDeath(WorkerDeathPolicy.REPLACE_WORKER)
 *         .build();
 * }</pre>
 *
 * @since 0.2.0
 */
public enum WorkerDeathPolicy {

    /**
     * The pool breaks, as CPython's does: every pending call fails with {@link BrokenProcessPool},
     * and so does every later submit. The default.
     */
    BREAK_POOL,

    /**
     * Only the call the worker was running fails, with {@link TerminatedWorkerError}; the calls
     * sent ahead to it that had not started go back to the queue, a new worker takes its place, and
     * every other call completes. A worker that dies before its initializer has finished still
     * breaks the pool: no worker could work.
     */
    REPLACE_WORKER
}
