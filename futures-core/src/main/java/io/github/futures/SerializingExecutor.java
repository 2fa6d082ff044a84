package io.github.futures;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An executor whose calls run in another JVM (a worker process, a cluster member) and so travel
 * serialized. The overloads below take the {@code Serializable*} functional interfaces, so that a
 * plain lambda passed to them is serializable without a cast:
 *
 * <pre>{@code
 * try (ProcessPoolExecutor pool = new ProcessPoolExecutor()) {
 *     Future<Integer> f = pool.submit(() -> 6 * 7);          // a SerializableCallable
 *     pool.map(n -> n * n, List.of(1, 2, 3)).toList();        // a SerializableFunction
 * }
 * }</pre>
 *
 * <p>Each overload is the same call as the {@link Executor} method it names; only the parameter
 * type differs. The {@link Executor} methods themselves accept any call that implements
 * {@link java.io.Serializable} and refuse any other with an {@link IllegalArgumentException} that
 * names its class.
 *
 * <p>Memory consistency effects: as for {@link Executor}; in addition, what the call sees of the
 * submitting thread's state is only what was serialized with it at the time of the submit.
 */
public interface SerializingExecutor extends Executor {

    /**
     * Schedules {@code fn} in another JVM; see {@link Executor#submit(Callable)}.
     *
     * @param fn the call; it, and everything it captures, must be serializable
     * @param <T> the result type
     * @return its future
     * @throws IllegalArgumentException if {@code fn} cannot be serialized (the message names the class)
     * @throws java.util.concurrent.RejectedExecutionException after shutdown
     * @throws BrokenExecutor if the executor is broken
     */
    default <T> Future<T> submit(SerializableCallable<T> fn) {
        return submit((Callable<T>) fn);
    }

    /**
     * Schedules {@code fn} in another JVM; the future's value is {@code null}. See
     * {@link Executor#submit(Runnable)}.
     *
     * @param fn the call; it, and everything it captures, must be serializable
     * @return its future
     * @throws IllegalArgumentException if {@code fn} cannot be serialized (the message names the class)
     * @throws java.util.concurrent.RejectedExecutionException after shutdown
     * @throws BrokenExecutor if the executor is broken
     */
    default Future<Void> submit(SerializableRunnable fn) {
        return submit((Runnable) fn);
    }

    /**
     * Applies {@code fn} to every item in other JVMs; see {@link Executor#map(Function, Iterable)}.
     *
     * @param fn the function; serializable, as are the items and results
     * @param items the arguments
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    default <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return map((Function<? super T, ? extends R>) fn, items, MapOptions.DEFAULTS);
    }

    /**
     * Like {@link #map(SerializableFunction, Iterable)}, with a timeout measured from this call.
     *
     * @param fn the function
     * @param items the arguments
     * @param timeout the limit for all results, from now; {@code null} for none
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    default <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                 Duration timeout) {
        return map((Function<? super T, ? extends R>) fn, items, MapOptions.DEFAULTS.withTimeout(timeout));
    }

    /**
     * Like {@link #map(SerializableFunction, Iterable)}, with a timeout, a chunk size (items sent in
     * one message: fewer round trips for many small items) and a buffer size.
     *
     * @param fn the function
     * @param items the arguments
     * @param options timeout, chunk size and buffer size
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    default <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                 MapOptions options) {
        return map((Function<? super T, ? extends R>) fn, items, options);
    }

    /**
     * Like {@link Executor#map(BiFunction, Iterable, Iterable)}, in other JVMs.
     *
     * @param fn the function; serializable
     * @param a the first arguments
     * @param b the second arguments
     * @param <A> the first argument type
     * @param <B> the second argument type
     * @param <R> the result type
     * @return the results, in order
     */
    default <A, B, R> Stream<R> map(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                    Iterable<? extends A> a, Iterable<? extends B> b) {
        return map((BiFunction<? super A, ? super B, ? extends R>) fn, a, b);
    }
}
