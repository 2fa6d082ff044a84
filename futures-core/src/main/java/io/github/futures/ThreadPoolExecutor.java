package io.github.futures;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ExitingThreads;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolControl;
import io.github.futures.spi.PoolState;
import io.github.futures.spi.Resizable;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Terminable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An {@link Executor} that runs calls on a pool of at most {@code maxWorkers} threads: Python's
 * {@code concurrent.futures.ThreadPoolExecutor}.
 *
 * <pre>{@code
 * try (var executor = new ThreadPoolExecutor(4, "TaskThreadPool",
 *         () -> System.out.println("Task thread is starting"))) {
 *     List<Future<Integer>> futures = new ArrayList<>();
 *     for (int i = 2; i < 5; i++) {
 *         int seconds = i;
 *         futures.add(executor.submit(() -> longRunningTask(seconds)));
 *     }
 *     for (Future<Integer> f : Futures.asCompleted(futures)) {
 *         System.out.println("Task returned: " + f.result());
 *     }
 * }
 * }</pre>
 *
 * <p>No thread exists before the first submit. A submit hands its call to an idle worker if there
 * is one and otherwise starts a new thread, until {@code maxWorkers} threads exist; threads are named
 * {@code <prefix>_<n>} with n counting from 0. The optional initializer runs once in each worker
 * thread before its first call; if it throws, the pool is broken: pending futures fail with
 * {@link BrokenThreadPool}, and so does every later submit.
 *
 * <p>Worker threads are daemon threads, and a JVM shutdown hook lets every pool finish the calls it
 * has accepted before the JVM exits (Python does the same at interpreter exit): an idle pool never
 * keeps the JVM alive, a pool with work does, and a {@code main} that never calls {@link #shutdown}
 * still sees its calls run. Calls submitted after the JVM began to exit are rejected. A pool one of
 * whose calls itself calls {@link System#exit} is not waited for, and neither is a pool whose owner
 * gave up waiting with {@link #interruptWorkers()} (as the Spring Boot starter does when its
 * shutdown timeout passes), so a call that ignores interrupts cannot hold the JVM then.
 *
 * <p>A pool dropped without {@link #shutdown} does not keep its threads: once it is garbage-collected,
 * it shuts down without waiting, so its idle workers end (as CPython's do when their executor is
 * collected). Calls it had accepted still run first.
 *
 * <p>Memory consistency effects: actions in a thread before it submits a call <i>happen-before</i>
 * the call runs, and the call's actions <i>happen-before</i> its result is read through the future.
 *
 * @since 0.1.0
 */
public final class ThreadPoolExecutor implements Executor, ObservableExecutor, Terminable, PoolControl, Resizable {

    /*
     * Implementation note.
     *
     * This class is a facade over its engine, ThreadPool (queue, workers, wake-ups), and WorkQueue
     * (admission and termination); see their notes. The engine never refers back to the facade, so
     * that an executor dropped without shutdown can be collected while its idle workers park: a
     * Cleaner registered on the facade then shuts the engine down (no waiting, no cancelling).
     */

    /** Names default pools ThreadPoolExecutor-0, -1, ... as CPython does. */
    /**
     * How the JVM exit hook sees a pool: a facade over the engine, which the hook holds weakly (a
     * class, not a lambda: the constructor must not pay for a JVM's first lambda bootstrap).
     */
    private static final Function<Object, Terminable> ENGINE_VIEW = new Function<>() {
        @Override
        public Terminable apply(Object engine) {
            return new ThreadPoolExecutor((ThreadPool) engine);
        }
    };

    private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

    private final ThreadPool pool;

    /**
     * A pool with {@code availableProcessors() * 5} workers: the default of Python 3.5-3.7 and of the
     * seed document. Threads suit calls that wait (I/O, remote calls), so more threads than cores
     * keep the cores busy while some wait; five per core is Python's long-standing rule of thumb.
     */
    public ThreadPoolExecutor() {
        this(defaultMaxWorkers());
    }

    /**
     * A pool of at most {@code maxWorkers} threads.
     *
     * @param maxWorkers the maximum number of threads, at least 1
     * @throws IllegalArgumentException if {@code maxWorkers <= 0}
     */
    public ThreadPoolExecutor(int maxWorkers) {
        this(maxWorkers, null, null);
    }

    /**
     * A pool of at most {@code maxWorkers} threads named {@code <threadNamePrefix>_<n>}.
     *
     * @param maxWorkers the maximum number of threads, at least 1
     * @param threadNamePrefix the name prefix; {@code null} or empty for {@code ThreadPoolExecutor-<k>}
     * @throws IllegalArgumentException if {@code maxWorkers <= 0}
     */
    public ThreadPoolExecutor(int maxWorkers, String threadNamePrefix) {
        this(maxWorkers, threadNamePrefix, null);
    }

    /**
     * A pool of at most {@code maxWorkers} threads named {@code <threadNamePrefix>_<n>}, each of which
     * runs {@code initializer} once before its first call.
     *
     * @param maxWorkers the maximum number of threads, at least 1
     * @param threadNamePrefix the name prefix; {@code null} or empty for {@code ThreadPoolExecutor-<k>}
     * @param initializer run once in each worker thread, or {@code null}
     * @throws IllegalArgumentException if {@code maxWorkers <= 0}
     */
    public ThreadPoolExecutor(int maxWorkers, String threadNamePrefix, Runnable initializer) {
        this(maxWorkers, threadNamePrefix, initializer, null, 0, false, null);
    }

    private ThreadPoolExecutor(int maxWorkers, String threadNamePrefix, Runnable initializer, Duration callTimeout,
                               int maxPending, boolean virtualThreads, CallInterceptor interceptor) {
        if (maxWorkers <= 0) {
            throw new IllegalArgumentException("maxWorkers must be greater than 0, got " + maxWorkers);
        }
        this.pool = new ThreadPool(maxWorkers,
                (threadNamePrefix == null || threadNamePrefix.isEmpty())
                        ? "ThreadPoolExecutor-" + POOL_COUNTER.getAndIncrement()
                        : threadNamePrefix,
                initializer, callTimeout, maxPending, virtualThreads, interceptor);
        ExitHook.register(pool, ENGINE_VIEW);
        FuturesCleaner.CLEANER.register(this, pool::dropped);
    }

    /**
     * How the JVM exit hook sees an engine that it holds weakly (the executor may have been dropped
     * while the engine still runs what it accepted): a facade with no cleaner and no registration.
     */
    private ThreadPoolExecutor(ThreadPool engine) {
        this.pool = engine;
    }

    private static int defaultMaxWorkers() {
        return Math.multiplyExact(Runtime.getRuntime().availableProcessors(), 5);
    }

    /**
     * A builder, for code that prefers names to positions.
     *
     * <pre>{@code
     * var pool = ThreadPoolExecutor.builder().maxWorkers(8).threadNamePrefix("io").build();
     * }</pre>
     *
     * @return a new builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The maximum number of worker threads.
     *
     * @return {@code maxWorkers}, as built or as last {@link #setMaxWorkers set}
     */
    @Override
    public int maxWorkers() {
        return pool.maxWorkers;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A thread above the new limit leaves before it would take its next call; parked threads
     * are woken to leave at once.
     */
    @Override
    public void setMaxWorkers(int maxWorkers) {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, got " + maxWorkers);
        }
        if (pool.work.isShutdown()) {
            throw new IllegalStateException("cannot change maxWorkers of " + pool.threadNamePrefix + " after shutdown");
        }
        pool.setMaxWorkers(maxWorkers);
    }

    @Override
    public int cancelPending() {
        return pool.cancelPending();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each live worker thread's name, state and stack, as {@code jstack} prints them.
     */
    @Override
    public String threadDump() {
        StringBuilder dump = new StringBuilder();
        String nl = System.lineSeparator();
        for (Thread t : pool.poolThreads()) {
            if (t.isAlive()) {
                dump.append('"').append(t.getName()).append('"').append(pool.virtual ? " virtual" : "")
                        .append(nl).append("   java.lang.Thread.State: ").append(t.getState()).append(nl);
                for (StackTraceElement e : t.getStackTrace()) {
                    dump.append("\tat ").append(e).append(nl);
                }
                dump.append(nl);
            }
        }
        return dump.length() == 0 ? pool.threadNamePrefix + " has no live worker thread." + nl : dump.toString();
    }

    /**
     * The prefix of the worker threads' names.
     *
     * @return the prefix
     */
    public String threadNamePrefix() {
        return pool.threadNamePrefix;
    }

    // ------------------------------------------------------------------ submit

    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        return pool.submit(fn);
    }

    @Override
    public Future<Void> submit(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        return pool.submit(() -> {
            fn.run();
            return null;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>With a {@linkplain Builder#callInterceptor call interceptor}, the map itself gets a scope
     * on this thread, and each of its calls is submitted inside it (see there).
     */
    @Override
    public <T, R> Stream<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        CallInterceptor ic = pool.interceptor;
        if (ic == null) {
            return Executor.super.map(fn, items, options);
        }
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        ScopedCall mapScope = ScopedCall.forMap(ic, pool.callInfo);
        Function<T, Future<R>> one = item -> submit(() -> fn.apply(item));
        return mapScope.endingOnClose(MapSupport.map(mapScope.submitting(one), mapScope.endingWhenExhausted(items), options));
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * {@inheritDoc}
     *
     * <p>With {@code wait}, returns once every call accepted before the shutdown has ended (run, or
     * cancelled by {@code cancelFutures}) and every worker thread has ended. A call of this pool that
     * shuts it down with {@code wait} waits for the other calls, not for itself, nor for other calls
     * that wait for the pool's end as it does (they return together once the rest has ended). If every
     * worker waits so while calls are still queued, no worker is left to run them and the waits do not
     * end, as in any fixed pool whose every thread waits for queued work; the pool then logs one
     * "possible deadlock" warning naming the waiting threads, as it does when every worker waits for a
     * future of the pool.
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        pool.shutdown(cancelFutures);
        if (wait) {
            pool.awaitTerminationUninterruptibly(-1L);
        }
    }

    /**
     * Waits until, after a {@link #shutdown(boolean, boolean) shutdown}, every accepted call has
     * ended and every worker thread has ended. Returns at once with {@code true} if the pool never
     * started a thread. If the current thread is one of this pool's workers, it does not wait for
     * itself, nor for the other workers waiting here. An interrupt ends the wait: the result then says
     * whether the pool had ended, and the interrupt status is kept.
     *
     * @param timeout the limit; {@code null} waits without limit; zero or negative does not wait
     * @return whether the pool ended in time
     * @throws IllegalStateException if the pool was not shut down
     */
    @Override
    public boolean awaitTermination(Duration timeout) {
        long nanos = Timeouts.toNanosOrForever(timeout); // more than a century: no limit (-1)
        if (!pool.work.isShutdown()) {
            throw new IllegalStateException("awaitTermination needs shutdown first");
        }
        try {
            return pool.awaitTermination(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pool.work.isTerminated();
        }
    }

    /**
     * Ends the pool without waiting for its calls any longer: cancels the queued calls, interrupts
     * the workers running one, and waits at most {@code grace} for them to end. Calls that ignore
     * interrupts keep running (a thread cannot be stopped); the JVM exit hook no longer waits for them.
     *
     * @param grace how long to wait for the interrupted calls; {@code null} waits without limit
     * @return whether the pool has ended when this returns
     * @throws IllegalStateException if the pool was not shut down
     */
    @Override
    public boolean abort(Duration grace) {
        if (!pool.work.isShutdown()) {
            throw new IllegalStateException("abort needs shutdown first");
        }
        pool.shutdown(true);
        interruptWorkers();
        return awaitTermination(grace);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Wakes every parked worker so that it finishes the queued calls and ends.
     */
    @Override
    public void beginJvmExit() {
        pool.beginJvmExit();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once every accepted call has ended, or once {@link #abort(Duration)} or
     * {@link #interruptWorkers()} gave up on the calls still running.
     */
    @Override
    public void awaitJvmExit() throws InterruptedException {
        if (!ExitingThreads.anyCallsExit(pool.poolThreads())) {
            pool.awaitJvmExit();
        }
    }

    /**
     * Interrupts the worker threads that are running a call now. Used when a shutdown must not
     * wait any longer; calls that ignore interrupts keep running.
     */
    public void interruptWorkers() {
        pool.interruptWorkers();
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return {@code true} once shut down
     */
    public boolean isShutdown() {
        return pool.work.isShutdown();
    }

    /**
     * Whether the pool is broken (an initializer failed).
     *
     * @return {@code true} if broken
     */
    public boolean isBroken() {
        return pool.broken != null;
    }

    // ------------------------------------------------------------------ observability

    @Override
    public String kind() {
        return "thread";
    }

    @Override
    public TaskStats taskStats() {
        return pool.stats;
    }

    @Override
    public ExecutorSnapshot snapshot() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("maxWorkers", pool.maxWorkers);
        config.put("threadNamePrefix", pool.threadNamePrefix);
        config.put("initializer", pool.initializer != null);
        config.put("callTimeout", pool.timeouts == null ? "none" : pool.timeouts.text);
        config.put("abandonedThreads", pool.abandonedThreads());
        config.put("virtualThreads", pool.virtual);
        config.put("maxPending", pool.pendingLimit == null ? "unbounded" : pool.pendingLimit.max());
        String b = pool.broken;
        TaskStats stats = pool.stats;
        return new ExecutorSnapshot(kind(), state().value(), pool.maxWorkers, pool.liveWorkers(), pool.workerCount(),
                stats.pendingCount(), stats.runningCount(), stats.submittedCount(), stats.succeededCount(),
                stats.failedCount(), stats.cancelledCount(), b, List.copyOf(pool.workerSnapshots()), Map.copyOf(config));
    }

    private PoolState state() {
        return PoolState.of(pool.work.isShutdown(), pool.broken != null);
    }

    @Override
    public String toString() {
        return "ThreadPoolExecutor[" + pool.threadNamePrefix + ", maxWorkers=" + pool.maxWorkers + ", state="
                + state().value() + "]";
    }

    // ------------------------------------------------------------------ builder

    /** Builds a {@link ThreadPoolExecutor}; every setting is optional. */
    public static final class Builder {
        private int maxWorkers = -1;
        private String threadNamePrefix;
        private Runnable initializer;
        private Duration callTimeout;
        private int maxPending;
        private boolean virtualThreads;
        private CallInterceptor callInterceptor;

        private Builder() {
        }

        /**
         * @param maxWorkers the maximum number of threads, at least 1 (default {@code cpu * 5})
         * @return this builder
         */
        public Builder maxWorkers(int maxWorkers) {
            if (maxWorkers <= 0) {
                throw new IllegalArgumentException("maxWorkers must be greater than 0, got " + maxWorkers);
            }
            this.maxWorkers = maxWorkers;
            return this;
        }

        /**
         * @param threadNamePrefix the thread name prefix ({@code <prefix>_<n>})
         * @return this builder
         */
        public Builder threadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
            return this;
        }

        /**
         * @param initializer run once in each worker thread before its first call
         * @return this builder
         */
        public Builder initializer(Runnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * A limit on how long one call may run (default: none, as in CPython). A call running longer
         * fails with {@link TimeoutError} ("call exceeded its call timeout of 5s"), and the thread
         * running it is interrupted. A call that ignores the interrupt for a grace period (the timeout,
         * at most one second) is abandoned: its thread no longer counts toward {@code maxWorkers}, so
         * a new worker may serve the queue, and {@code shutdown(wait=true)} does not wait for it; a
         * warning is logged and a {@code WORKER_REPLACED} event with reason {@code timeout} published.
         * The abandoned thread ends when the call returns at last; its result is discarded.
         *
         * @param callTimeout the limit, positive; {@code null} for none
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder callTimeout(Duration callTimeout) {
            if (callTimeout != null && (callTimeout.isZero() || callTimeout.isNegative())) {
                throw new IllegalArgumentException("callTimeout must be positive, got " + callTimeout
                        + "; pass null for no call timeout");
            }
            this.callTimeout = callTimeout;
            return this;
        }

        /**
         * A bound on pending calls (default: none, as in CPython). A submit that finds this many calls
         * pending (accepted, not yet started) throws {@link java.util.concurrent.RejectedExecutionException}
         * at once, naming the pool and the limit; it never blocks the caller. {@code map} counts each
         * call as one pending call; with a {@code buffersize} a map keeps at most that many in flight.
         * Each rejection is published as a {@code CALL_REJECTED} event and counted
         * ({@link io.github.futures.spi.TaskStats#rejectedCount()}).
         *
         * @param maxPending the most pending calls, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPending < 1}
         */
        public Builder maxPending(int maxPending) {
            this.maxPending = PendingLimit.checkMax(maxPending);
            return this;
        }

        /**
         * Whether calls run on virtual threads (default {@code false}; JDK 21 or later). The pool keeps
         * its {@code maxWorkers} meaning: at most that many calls run at once, on at most that many
         * virtual threads named {@code <prefix>_<n>}; the others wait in FIFO order as PENDING futures
         * that can be cancelled. A submit never blocks and is never refused for lack of a thread (only
         * by {@link #maxPending(int)}), unlike a semaphore-guarded virtual-thread executor.
         *
         * @param virtualThreads whether to use virtual threads
         * @return this builder
         */
        public Builder virtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
            return this;
        }

        /**
         * Gives every call a {@link io.github.futures.spi.CallScope} (default: none): how context (MDC,
         * trace, security) and observations travel with calls. {@code intercept} runs on the submitting
         * thread inside {@code submit} with {@code CallInfo(threadNamePrefix, "thread")}; if it throws,
         * the submit throws that and accepts nothing. The worker runs the scope's
         * {@link io.github.futures.spi.CallScope#wrap wrapped} call, after telling the scope
         * {@code started()}; {@code ended(failure, cancelled)} is called exactly once when the future
         * ends, whichever way (result, exception, cancel before or while running, call timeout, broken
         * pool, a cancelling shutdown), and {@code ended(refusal, false)} for a submit refused after
         * the interceptor was asked (pending limit, shutdown). A {@code map} asks for one more scope,
         * on the calling thread, for the map itself: each of its calls is submitted inside that scope's
         * wrap, so it carries the mapper's context even when a buffered map submits it later from the
         * thread taking the results; that scope ends when the map has submitted its last call, failed
         * to submit one, or its stream was closed (a stream dropped before its items ran out never ends
         * it). Without an interceptor, nothing is made or called per call.
         *
         * <pre>{@code
         * var pool = ThreadPoolExecutor.builder()
         *         .callInterceptor(call -> new CallScope() {
         *             final Map<String, String> mdc = MDC.getCopyOfContextMap();
         *             public <T> Callable<T> wrap(Callable<T> c) {
         *                 return () -> { MDC.setContextMap(mdc); try { return c.call(); } finally { MDC.clear(); } };
         *             }
         *         })
         *         .build();
         * }</pre>
         *
         * @param callInterceptor the interceptor, or {@code null} for none
         * @return this builder
         */
        public Builder callInterceptor(CallInterceptor callInterceptor) {
            this.callInterceptor = callInterceptor;
            return this;
        }

        /**
         * @return a new pool
         * @throws UnsupportedOperationException if {@link #virtualThreads(boolean) virtual threads} were
         *     asked for on a JDK older than 21
         */
        public ThreadPoolExecutor build() {
            if (virtualThreads) {
                VirtualThreads.require();
            }
            return new ThreadPoolExecutor(maxWorkers > 0 ? maxWorkers : defaultMaxWorkers(), threadNamePrefix, initializer,
                    callTimeout, maxPending, virtualThreads, callInterceptor);
        }
    }
}
