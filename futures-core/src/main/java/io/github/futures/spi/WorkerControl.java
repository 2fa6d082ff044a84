package io.github.futures.spi;

import java.util.NoSuchElementException;

/**
 * A pool of worker processes whose workers an operator can act on one by one, by process id.
 * Implemented by the process pool.
 */
public interface WorkerControl {

    /**
     * Ends the live worker {@code pid} now and starts a replacement, as {@code cancel(true)} of its
     * running call would: that call (if any) fails with {@code TerminatedWorkerError}, calls sent to
     * it ahead of time go back to the front of the queue, and the pool does not break.
     *
     * @param pid the worker's process id
     * @return a sentence saying what was done, naming the call that failed if there was one
     * @throws NoSuchElementException if no live worker of this pool has that pid
     * @throws IllegalStateException if that worker is already leaving (being stopped, retired or ended)
     */
    String replaceWorker(long pid);

    /**
     * The worker JVM's own thread dump (what {@code jstack} would print), taken by a signal; waits a
     * few seconds at most.
     *
     * @param pid the worker's process id
     * @return the dump
     * @throws NoSuchElementException if no live worker of this pool has that pid
     * @throws IllegalStateException if the worker ended, or its JVM printed no dump in time (or the
     *     platform cannot signal it)
     */
    String threadDump(long pid);
}
