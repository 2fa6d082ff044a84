package io.github.futures.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * The peers of {@link io.github.futures.ThreadPoolExecutor} in the benchmarks - the JDK's fixed
 * {@code ThreadPoolExecutor} and Spring's {@code ThreadPoolTaskExecutor} - seen through the few
 * operations the workloads use. Each call goes straight to the peer's own method of that name, so
 * what is measured is the peer's code path; within one JMH fork only one implementation is loaded,
 * so the call site stays monomorphic.
 */
public interface JucPool {

    /**
     * The peer's {@code submit(Callable)}.
     *
     * @param task the call
     * @param <T> the result type
     * @return the peer's future
     */
    <T> Future<T> submit(Callable<T> task);

    /**
     * The peer's idiomatic way to get a {@link CompletableFuture} for a call (for
     * {@link CompletableFuture#anyOf}).
     *
     * @param task the call
     * @param <T> the result type
     * @return a future completed by the call
     */
    <T> CompletableFuture<T> submitCompletable(Callable<T> task);

    /**
     * The peer as a plain {@link Executor} (for {@code ExecutorCompletionService}).
     *
     * @return the executor
     */
    Executor executor();

    /** Shuts the peer down, cancelling what is queued, and waits for its threads to end. */
    void shutdownNow();
}
