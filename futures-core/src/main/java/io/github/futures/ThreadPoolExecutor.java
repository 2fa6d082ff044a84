package io.github.futures;

import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Timeouts;
import io.github.futures.spi.TrackedFuture;
import io.github.futures.spi.WorkerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

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
 * still sees its calls run. Calls submitted after the JVM began to exit are rejected. A call that
 * itself calls {@link System#exit} is not waited for.
 *
 * <p>Memory consistency effects: actions in a thread before it submits a call <i>happen-before</i>
 * the call runs, and the call's actions <i>happen-before</i> its result is read through the future.
 *
 * @since 0.1.0
 */
public final class ThreadPoolExecutor implements Executor, ObservableExecutor {

    /*
     * Implementation note.
     *
     * Work flows through one LinkedTransferQueue (lock-free offer and take, so submitters never
     * serialise on a lock). A worker loops: take an item, run it. Items are WorkItems or the single
     * SHUTDOWN pill.
     *
     * Idle reuse follows CPython's idle semaphore: 'idleTokens' counts workers that finished a call
     * and are on their way back to the queue. A worker adds a token after its call returned but
     * before it completes the future (so a caller woken by the result and submitting again finds the
     * token); a submit consumes a token if there is one and otherwise starts a thread while fewer
     * than maxWorkers exist ('workerCount', only ever incremented, maxWorkers times at most).
     *
     * Shutdown: 'shutdown' is set, queued items are cancelled if asked, then one SHUTDOWN pill is
     * offered. FIFO order means every item accepted before it runs first. A worker that takes the
     * pill offers it again (for the next worker) and exits. A submit that raced with shutdown and
     * enqueued behind the pill sees the flag on its re-check and takes its item back (rejected);
     * if a worker already took it, it runs. Broken (initializer failed): 'broken' is set, queued
     * items fail with BrokenThreadPool, later submits throw it; the same re-check applies.
     *
     * Guards: 'shutdown' and 'broken' are volatile, written once each. 'workers' is a concurrent
     * queue appended to when a thread starts. Per-worker counts are written by their own thread only.
     */

    /** Names default pools ThreadPoolExecutor-0, -1, ... as CPython does. */
    private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

    private static final Runnable SHUTDOWN_PILL = () -> { };

    private final int maxWorkers;
    private final String threadNamePrefix;
    private final Runnable initializer;
    private final LinkedTransferQueue<Runnable> queue = new LinkedTransferQueue<>();
    private final AtomicInteger workerCount = new AtomicInteger();
    private final AtomicInteger idleTokens = new AtomicInteger();
    private final AtomicInteger liveWorkers = new AtomicInteger();
    private final ConcurrentLinkedQueue<Worker> workers = new ConcurrentLinkedQueue<>();
    private final TaskStats stats = new TaskStats();
    private volatile boolean shutdown;
    private volatile String broken;

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
        if (maxWorkers <= 0) {
            throw new IllegalArgumentException("maxWorkers must be greater than 0, got " + maxWorkers);
        }
        this.maxWorkers = maxWorkers;
        this.threadNamePrefix = (threadNamePrefix == null || threadNamePrefix.isEmpty())
                ? "ThreadPoolExecutor-" + POOL_COUNTER.getAndIncrement()
                : threadNamePrefix;
        this.initializer = initializer;
        ExitHook.register(this);
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
     * @return {@code maxWorkers}
     */
    public int maxWorkers() {
        return maxWorkers;
    }

    /**
     * The prefix of the worker threads' names.
     *
     * @return the prefix
     */
    public String threadNamePrefix() {
        return threadNamePrefix;
    }

    // ------------------------------------------------------------------ submit

    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        checkAccepting();
        TrackedFuture<T> f = stats.newFuture();
        enqueue(new WorkItem<>(f, fn));
        return f;
    }

    @Override
    public Future<Void> submit(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        return submit(() -> {
            fn.run();
            return null;
        });
    }

    private void checkAccepting() {
        String b = broken;
        if (b != null) {
            throw new BrokenThreadPool(b);
        }
        if (shutdown) {
            throw new RejectedExecutionException(ExitHook.exiting
                    ? "cannot schedule new futures after JVM shutdown began"
                    : "cannot schedule new futures after shutdown");
        }
    }

    private void enqueue(WorkItem<?> item) {
        stats.submitted();
        if (!queue.tryTransfer(item)) {
            queue.offer(item);
            if (!tryConsumeIdleToken()) {
                startWorkerIfBelowMax();
            }
        } else {
            tryConsumeIdleToken();
        }
        if ((shutdown || broken != null) && queue.remove(item)) {
            // Raced with shutdown or breakage and no worker took it: reject, as if it came later.
            stats.unsubmitted();
            checkAccepting();
        }
    }

    private boolean tryConsumeIdleToken() {
        for (int t; (t = idleTokens.get()) > 0; ) {
            if (idleTokens.compareAndSet(t, t - 1)) {
                return true;
            }
        }
        return false;
    }

    private void startWorkerIfBelowMax() {
        for (int n; (n = workerCount.get()) < maxWorkers; ) {
            if (workerCount.compareAndSet(n, n + 1)) {
                Worker w = new Worker(threadNamePrefix + "_" + n);
                workers.add(w);
                liveWorkers.incrementAndGet();
                w.thread.start();
                return;
            }
        }
    }

    // ------------------------------------------------------------------ workers

    private final class Worker implements Runnable {
        final Thread thread;
        final Instant startedAt = Instant.now();
        /** Written only by this worker's thread. */
        volatile long completed;
        /** Written only by this worker's thread. */
        volatile boolean busy;

        Worker(String name) {
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                if (initializer != null) {
                    try {
                        initializer.run();
                    } catch (Throwable t) {
                        initializerFailed(t);
                        return;
                    }
                }
                for (;;) {
                    Runnable item;
                    try {
                        item = queue.take();
                    } catch (InterruptedException e) {
                        continue; // interrupted while idle (interruptWorkers raced): keep serving
                    }
                    if (item == SHUTDOWN_PILL) {
                        queue.offer(SHUTDOWN_PILL);
                        return;
                    }
                    busy = true;
                    try {
                        item.run();
                    } finally {
                        busy = false;
                        completed++;
                        Thread.interrupted(); // an interrupt aimed at the call must not hit the next one
                    }
                }
            } finally {
                liveWorkers.decrementAndGet();
            }
        }
    }

    /** A call and its future; run by a worker. */
    private final class WorkItem<T> implements Runnable {
        private final TrackedFuture<T> future;
        private final Callable<T> fn;

        WorkItem(TrackedFuture<T> future, Callable<T> fn) {
            this.future = future;
            this.fn = fn;
        }

        @Override
        public void run() {
            if (!future.setRunningOrNotifyCancel()) {
                idleTokens.incrementAndGet();
                return;
            }
            T value;
            try {
                value = fn.call();
            } catch (Throwable t) {
                idleTokens.incrementAndGet();
                complete(t, null);
                return;
            }
            idleTokens.incrementAndGet();
            complete(null, value);
        }

        private void complete(Throwable t, T value) {
            try {
                if (t != null) {
                    future.setException(t);
                } else {
                    future.setResult(value);
                }
            } catch (InvalidStateError userCompletedIt) {
                // Someone completed the future from outside; the call's outcome is dropped.
            }
        }

        void cancel() {
            future.cancel();
        }

        void fail(Throwable t) {
            ((Future<T>) future).trySetException(t);
        }
    }

    private void initializerFailed(Throwable t) {
        String reason = "A thread initializer failed, the thread pool is not usable anymore ("
                + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ")";
        broken = reason;
        BrokenThreadPool failure = new BrokenThreadPool(reason, t);
        for (Runnable item; (item = queue.poll()) != null; ) {
            if (item instanceof WorkItem<?> w) {
                w.fail(failure);
            } else if (item == SHUTDOWN_PILL) {
                queue.offer(SHUTDOWN_PILL);
                break;
            }
        }
    }

    // ------------------------------------------------------------------ shutdown

    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        shutdown = true;
        if (cancelFutures) {
            // Drain first so that no worker starts a call we are about to cancel.
            List<WorkItem<?>> drained = new ArrayList<>();
            for (Runnable item; (item = queue.poll()) != null; ) {
                if (item instanceof WorkItem<?> w) {
                    drained.add(w);
                } else if (item == SHUTDOWN_PILL) {
                    break;
                }
            }
            for (WorkItem<?> w : drained) {
                w.cancel();
            }
        }
        queue.offer(SHUTDOWN_PILL);
        if (wait) {
            awaitWorkers(-1L);
        }
    }

    /**
     * Waits until every worker thread has ended after a {@link #shutdown(boolean, boolean) shutdown}.
     * Returns at once with {@code true} if the pool never started a thread.
     *
     * @param timeout the limit
     * @return whether all workers ended in time
     * @throws IllegalStateException if the pool was not shut down
     */
    public boolean awaitTermination(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout, "timeout");
        if (!shutdown) {
            throw new IllegalStateException("awaitTermination needs shutdown first");
        }
        return awaitWorkers(nanos >= Timeouts.FOREVER_NANOS ? -1L : nanos);
    }

    /** Joins the workers (not the current thread); nanos < 0: no limit. */
    private boolean awaitWorkers(long nanos) {
        long deadline = System.nanoTime() + Math.max(0L, nanos);
        Thread me = Thread.currentThread();
        boolean interrupted = false;
        try {
            for (Worker w : workers) {
                if (w.thread == me) {
                    continue; // a call that shuts its own pool down must not wait for itself
                }
                for (;;) {
                    try {
                        if (nanos < 0L) {
                            w.thread.join();
                        } else {
                            long remaining = deadline - System.nanoTime();
                            if (remaining <= 0L) {
                                return !w.thread.isAlive() && allEnded(me);
                            }
                            w.thread.join(Math.max(1L, remaining / 1_000_000L));
                            if (w.thread.isAlive()) {
                                continue;
                            }
                        }
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                        if (nanos < 0L) {
                            continue;
                        }
                    }
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean allEnded(Thread except) {
        for (Worker w : workers) {
            if (w.thread != except && w.thread.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Interrupts the worker threads that are running a call now. Used when a shutdown must not
     * wait any longer; calls that ignore interrupts keep running.
     */
    public void interruptWorkers() {
        for (Worker w : workers) {
            if (w.busy) {
                w.thread.interrupt();
            }
        }
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return {@code true} once shut down
     */
    public boolean isShutdown() {
        return shutdown;
    }

    /**
     * Whether the pool is broken (an initializer failed).
     *
     * @return {@code true} if broken
     */
    public boolean isBroken() {
        return broken != null;
    }

    // ------------------------------------------------------------------ observability

    @Override
    public String kind() {
        return "thread";
    }

    @Override
    public TaskStats taskStats() {
        return stats;
    }

    @Override
    public ExecutorSnapshot snapshot() {
        List<WorkerSnapshot> details = new ArrayList<>();
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                details.add(new WorkerSnapshot(w.thread.getName(), -1L, w.completed, w.startedAt, w.busy));
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("maxWorkers", maxWorkers);
        config.put("threadNamePrefix", threadNamePrefix);
        config.put("initializer", initializer != null);
        String b = broken;
        String state = b != null ? ExecutorSnapshot.BROKEN : shutdown ? ExecutorSnapshot.SHUTDOWN : ExecutorSnapshot.RUNNING;
        return new ExecutorSnapshot(kind(), state, maxWorkers, liveWorkers.get(), workerCount.get(),
                stats.pendingCount(), stats.runningCount(), stats.submittedCount(), stats.succeededCount(),
                stats.failedCount(), stats.cancelledCount(), b, List.copyOf(details), Map.copyOf(config));
    }

    @Override
    public String toString() {
        return "ThreadPoolExecutor[" + threadNamePrefix + ", maxWorkers=" + maxWorkers + ", state="
                + snapshotState() + "]";
    }

    private String snapshotState() {
        return broken != null ? "broken" : shutdown ? "shutdown" : "running";
    }

    // ------------------------------------------------------------------ JVM exit

    /** Lets pools finish accepted work when the JVM exits, as CPython's threading._register_atexit. */
    static final class ExitHook {
        static volatile boolean exiting;
        private static final Map<ThreadPoolExecutor, Boolean> POOLS = new java.util.WeakHashMap<>();
        private static boolean installed;

        static synchronized void register(ThreadPoolExecutor pool) {
            POOLS.put(pool, Boolean.TRUE);
            if (!installed) {
                installed = true;
                Runtime.getRuntime().addShutdownHook(new Thread(ExitHook::run, "futures-exit"));
            }
        }

        private static void run() {
            exiting = true;
            List<ThreadPoolExecutor> pools;
            synchronized (ExitHook.class) {
                pools = new ArrayList<>(POOLS.keySet());
            }
            for (ThreadPoolExecutor pool : pools) {
                pool.shutdown = true;
                pool.queue.offer(SHUTDOWN_PILL);
            }
            for (ThreadPoolExecutor pool : pools) {
                for (Worker w : pool.workers) {
                    if (!callsExit(w.thread)) {
                        try {
                            w.thread.join();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }

        /** Whether the thread is inside System.exit / Runtime.exit (then it waits for us: no join). */
        private static boolean callsExit(Thread t) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().equals("java.lang.Shutdown")
                        || (e.getClassName().equals("java.lang.Runtime") && e.getMethodName().equals("exit"))) {
                    return true;
                }
            }
            return false;
        }
    }

    // ------------------------------------------------------------------ builder

    /** Builds a {@link ThreadPoolExecutor}; every setting is optional. */
    public static final class Builder {
        private int maxWorkers = -1;
        private String threadNamePrefix;
        private Runnable initializer;

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
         * @return a new pool
         */
        public ThreadPoolExecutor build() {
            return new ThreadPoolExecutor(maxWorkers > 0 ? maxWorkers : defaultMaxWorkers(), threadNamePrefix, initializer);
        }
    }
}
