package io.github.futures;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs calls asynchronously and hands out a {@link Future} for each: Python's
 * {@code concurrent.futures.Executor}.
 *
 * <pre>{@code
 * try (Executor executor = new ThreadPoolExecutor(4)) {
 *     Future<String> page = executor.submit(() -> fetch(url));
 *     List<Integer> lengths = executor.map(String::length, words).toList();
 * }   // close() waits for the calls still running, as Python's "with" does
 * }</pre>
 *
 * <p>Memory consistency effects: actions in a thread before submitting a call
 * <i>happen-before</i> the call begins, which in turn <i>happens-before</i> the result is
 * retrieved through its future.
 *
 * @since 0.1.0
 */
public interface Executor extends java.util.concurrent.Executor, AutoCloseable {

    /**
     * Schedules {@code fn} and returns its future at once.
     *
     * @param fn the call
     * @param <T> the result type
     * @return the future of the call
     * @throws NullPointerException if {@code fn} is {@code null}
     * @throws RejectedExecutionException if the executor was shut down
     * @throws BrokenExecutor if the executor is broken
     */
    <T> Future<T> submit(Callable<T> fn);

    /**
     * Schedules {@code fn} and returns its future at once; the future's value is {@code null}.
     *
     * @param fn the call
     * @return the future of the call
     * @throws NullPointerException if {@code fn} is {@code null}
     * @throws RejectedExecutionException if the executor was shut down
     * @throws BrokenExecutor if the executor is broken
     */
    Future<Void> submit(Runnable fn);

    /**
     * Applies {@code fn} to every item on this executor; the stream yields the results in the order
     * of the items. All items are submitted now. Taking an element whose call failed throws as
     * {@link Future#result()} would. Closing the stream, or a failure while consuming it, cancels the
     * calls that have not started.
     *
     * @param fn the function
     * @param items the arguments
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     * @throws NullPointerException if an argument is {@code null}
     * @throws RejectedExecutionException if the executor was shut down
     */
    default <T, R> Stream<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return map(fn, items, MapOptions.DEFAULTS);
    }

    /**
     * Like {@link #map(Function, Iterable)}, with a timeout measured from this call: taking an element
     * that is not available by then throws {@link TimeoutError}.
     *
     * @param fn the function
     * @param items the arguments
     * @param timeout the limit for all results, from now; {@code null} for none
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    default <T, R> Stream<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, Duration timeout) {
        return map(fn, items, MapOptions.DEFAULTS.withTimeout(timeout));
    }

    /**
     * Like {@link #map(Function, Iterable)}, with Python's {@code timeout}, {@code chunksize} and
     * {@code buffersize}. With a buffer size b &gt; 0 only b chunks are in flight ahead of the consumer,
     * so an endless iterable can be mapped in bounded memory.
     *
     * @param fn the function
     * @param items the arguments
     * @param options timeout, chunk size and buffer size
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    default <T, R> Stream<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        java.util.Objects.requireNonNull(fn, "fn");
        return MapSupport.map(item -> submit(() -> fn.apply(item)), items, options);
    }

    /**
     * Applies {@code fn} to pairs taken from {@code a} and {@code b} together, stopping at the
     * shorter one (Python's {@code map(fn, a, b)}).
     *
     * @param fn the function
     * @param a the first arguments
     * @param b the second arguments
     * @param <A> the first argument type
     * @param <B> the second argument type
     * @param <R> the result type
     * @return the results, in order
     */
    default <A, B, R> Stream<R> map(BiFunction<? super A, ? super B, ? extends R> fn,
                                    Iterable<? extends A> a, Iterable<? extends B> b) {
        java.util.Objects.requireNonNull(fn, "fn");
        return map(MapSupport.spread(fn), MapSupport.zip(a, b), MapOptions.DEFAULTS);
    }

    /**
     * Signals the executor to free its resources once the calls already submitted are done. No new
     * call is accepted from then on. Calling it again is harmless, and so is calling it from inside
     * one of the executor's own calls.
     *
     * @param wait {@code true}: return once every remaining call is done and the workers have ended;
     *     {@code false}: return at once
     * @param cancelFutures whether to cancel every call that has not started (running calls finish)
     */
    void shutdown(boolean wait, boolean cancelFutures);

    /** Same as {@code shutdown(true, false)}. */
    default void shutdown() {
        shutdown(true, false);
    }

    /** Same as {@code shutdown(true, false)}: waits for the calls still to run, as Python's {@code with} does. */
    @Override
    default void close() {
        shutdown(true, false);
    }

    /**
     * Same as {@code submit(fn)}, the future being dropped.
     *
     * @param fn the call
     * @throws RejectedExecutionException if the executor was shut down
     */
    @Override
    default void execute(Runnable fn) {
        submit(fn);
    }
}
