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

    /**
     * The JVM is exiting: stops taking calls, refusing new ones with a message that says so, and
     * lets the accepted ones run, as CPython's exit handler does. The library's JVM exit hook calls
     * this on every pool it knows before it waits for any ({@link #awaitJvmExit()}); applications do
     * not call it. The default does nothing, for a pool that ends in another way when the JVM exits.
     */
    default void beginJvmExit() {
    }

    /**
     * Waits, in the JVM exit hook and after {@link #beginJvmExit()}, until the calls accepted before
     * have ended, however long that takes. Does not wait for a pool one of whose own threads is itself
     * exiting the JVM (that thread waits for the hook, so the wait would never end), nor for calls
     * whose owner gave up on them ({@link #abort(Duration)}). The default returns at once.
     *
     * @throws InterruptedException if the wait is interrupted
     */
    default void awaitJvmExit() throws InterruptedException {
    }
}
