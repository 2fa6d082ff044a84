package io.github.futures.bench;

import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ThreadPoolExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * The thread-pool workloads, written once for our pool and once for a {@link JucPool} peer, so that
 * the benchmark classes that share them (for example {@link SubmitBenchmark} and
 * {@link MetricsBenchmark}) measure exactly the same code. Each workload checks its own result and
 * throws if it is wrong, so a smoke run proves the benchmark still does what it says.
 */
final class Workloads {

    /** The no-op call: a constant, so no workload allocates a lambda per call. */
    static final Callable<Object> NOOP = () -> null;

    /** A call with a result to check. */
    static final Callable<Integer> ONE = () -> 1;

    private Workloads() {
    }

    /** Submits {@code n} no-op calls, then waits for each in turn. */
    static int submitThenWaitAll(ThreadPoolExecutor pool, Future<?>[] fs, int n) {
        for (int i = 0; i < n; i++) {
            fs[i] = pool.submit(NOOP);
        }
        for (int i = 0; i < n; i++) {
            fs[i].result();
            fs[i] = null;
        }
        return n;
    }

    /** Submits {@code n} no-op calls, then waits for each in turn. */
    static int submitThenWaitAll(JucPool pool, java.util.concurrent.Future<?>[] fs, int n) {
        for (int i = 0; i < n; i++) {
            fs[i] = pool.submit(NOOP);
        }
        for (int i = 0; i < n; i++) {
            get(fs[i]);
            fs[i] = null;
        }
        return n;
    }

    /** One submit and the wait for its result. */
    static int roundTrip(ThreadPoolExecutor pool) {
        return check(pool.submit(ONE).result());
    }

    /** One submit and the wait for its result. */
    static int roundTrip(JucPool pool) {
        return check(get(pool.submit(ONE)));
    }

    static int check(Integer one) {
        if (one == null || one != 1) {
            throw new AssertionError("expected 1, got " + one);
        }
        return one;
    }

    /**
     * {@link java.util.concurrent.Future#get()} without checked exceptions.
     *
     * @param f the future
     * @param <T> the result type
     * @return its result
     */
    static <T> T get(java.util.concurrent.Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Makes sure {@link Futures} is loaded and linked before the first measured call. */
    static void touch() {
        Futures.class.getName();
    }
}
