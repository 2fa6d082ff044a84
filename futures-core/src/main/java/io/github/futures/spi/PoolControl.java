package io.github.futures.spi;

/**
 * An executor an operator can act on while it runs: cancel what waits, and see what its workers are
 * doing. Implemented by the thread, process and cluster pools; the Spring Boot endpoint's write operations use it.
 *
 * <pre>{@code
 * if (pool instanceof PoolControl c) {
 *     int cancelled = c.cancelPending(); // the backlog goes, the running calls go on
 * }
 * }</pre>
 */
public interface PoolControl {

    /**
     * Cancels every call of this pool that has not started (each PENDING future ends CANCELLED);
     * calls already running, or sent to a worker process ahead of time, are left alone.
     *
     * @return how many futures this call cancelled (those their owner had cancelled already are not counted)
     */
    int cancelPending();

    /**
     * The stacks of the pool's workers now, as text: each worker thread's stack for a thread pool,
     * each worker JVM's own thread dump for a process pool.
     *
     * @return the dump; a line saying so when the pool has no worker
     * @throws UnsupportedOperationException if the pool's workers are out of its reach (a cluster pool's
     *     calls run on the members' threads, in their JVMs)
     */
    String threadDump();
}
