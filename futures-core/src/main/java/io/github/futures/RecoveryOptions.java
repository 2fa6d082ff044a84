package io.github.futures;

/**
 * How a pool stops calls that misbehave and heals its workers; validated by the executor's builder.
 * Internal: not part of the API.
 *
 * @param callTimeoutNanos a call running longer is stopped and fails with a timeout, or 0 for no limit
 * @param replaceDeadWorkers whether a worker that dies fails only its call ({@code REPLACE_WORKER})
 *     instead of breaking the pool
 * @param maxWorkerMemory a worker whose used heap after a call exceeds this is replaced, or 0 for no limit
 * @param idleTimeoutNanos an idle worker above {@code minWorkers} exits after this long, or 0 for never
 * @param minWorkers workers that the idle timeout never retires
 */
record RecoveryOptions(long callTimeoutNanos, boolean replaceDeadWorkers, long maxWorkerMemory,
                              long idleTimeoutNanos, int minWorkers) {

    /** CPython's behaviour: no call timeout, a death breaks the pool, no memory limit, no idle timeout. */
    static final RecoveryOptions DEFAULTS = new RecoveryOptions(0L, false, 0L, 0L, 0);
}
