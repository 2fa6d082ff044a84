package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Executor;
import io.github.futures.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Test helpers shared by the reliability tests. */
final class Blocking {

    static final Duration LONG = Duration.ofSeconds(30);

    private Blocking() {
    }

    /**
     * Runs {@code call} in a new thread and waits until that thread is parked (WAITING or
     * TIMED_WAITING), as JSR-166's TCK does: this proves the call is waiting rather than returned.
     * Fails if the thread ends first or is not parked within {@link #LONG}.
     */
    static <T> CompletableFuture<T> startAndAwaitParked(String name, Callable<T> call) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                outcome.complete(call.call());
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        long deadline = System.nanoTime() + LONG.toNanos();
        for (;;) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                return outcome;
            }
            if (s == Thread.State.TERMINATED) {
                throw new AssertionError(name + " returned instead of waiting: " + describe(outcome));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(name + " did not start waiting within " + LONG + "; state " + s);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Waits until the running thread {@code t} is parked without a time limit (WAITING: an idle pool worker,
     * a waiter for a result), at most {@link #LONG}; fails if it is not by then.
     */
    static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (t.getState() != Thread.State.WAITING && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(t.getState()).as(t.getName() + " parked").isEqualTo(Thread.State.WAITING);
    }

    private static String describe(CompletableFuture<?> f) {
        try {
            return String.valueOf(f.getNow(null));
        } catch (Exception e) {
            return e.getCause() == null ? e.toString() : e.getCause().toString();
        }
    }

    /** The pool still works: a submit and a map after whatever bad input it was given. */
    static void assertUnharmed(Executor pool) {
        Future<Integer> f = pool.submit(() -> 6 * 7);
        assertThat(f.result(LONG)).isEqualTo(42);
        assertThat(pool.map((Integer x) -> x + 1, List.of(1, 2, 3), LONG).toList()).containsExactly(2, 3, 4);
    }
}
