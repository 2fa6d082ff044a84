package io.github.futures.spi;

import java.time.Duration;

/**
 * How an executor ends: the one contract that a framework's shutdown (the Spring Boot starter's
 * lifecycle) and the JVM exit hook see, whatever the kind of pool. Implemented by every executor of
 * this project, as {@link java.util.concurrent.ExecutorService#awaitTermination} and
 * {@link java.util.concurrent.ExecutorService#shutdownNow} are by the JDK's.
 *
 * <p>The steps, in order: {@link io.github.futures.Executor#shutdown(boolean, boolean)
 * shutdown(false, cancelFutures)}; {@link #awaitTermination(Duration)} with the owner's limit; when
 * that returns {@code false}, {@code shutdown(false, true)} and {@link #abort(Duration)}.
 */
public interface Terminable {

    /**
     * Waits until, after a shutdown, every accepted call has ended and the pool's threads,
     * processes or cluster resources are gone.
     *
     * @param timeout the limit; {@code null} waits without limit
     * @return whether the pool ended in time
     * @throws IllegalStateException if the executor was not shut down first
     */
    boolean awaitTermination(Duration timeout);

    /**
     * Stops the calls still running, as hard as this kind of pool can: a thread pool interrupts
     * (and then abandons) its busy threads; a process pool terminates, then kills, its worker
     * processes; a cluster pool cancels its remote calls and leaves the cluster. Pending calls are
     * cancelled. Used when a shutdown must not wait any longer.
     *
     * @param grace how long to wait for each step to take effect before the next, harder one
     * @return whether the pool has ended when this returns
     * @throws IllegalStateException if the executor was not shut down first
     */
    boolean abort(Duration grace);
}
