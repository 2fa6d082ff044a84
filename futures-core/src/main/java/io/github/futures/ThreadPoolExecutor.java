package io.github.futures;

import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Timeouts;
import io.github.futures.spi.TrackedFuture;
import io.github.futures.spi.WorkerSnapshot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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
 * <p>Memory consistency effects: actions in a thread before it submits a call <i>happen-before</i>
 * the call runs, and the call's actions <i>happen-before</i> its result is read through the future.
 *
 * @since 0.1.0
 */
public final class ThreadPoolExecutor implements Executor, ObservableExecutor {

    /*
     * Implementation note.
     *
     * Work flows through one ConcurrentLinkedQueue of Tasks (a Task is the future and its call in
     * one object). Offer and poll are lock-free, so submitters never serialise on a lock. A worker
     * loops: poll a task and run it; when the queue is empty it puts itself on the 'idle' list,
     * re-checks the queue (a call queued before the announcement found nobody to wake) and parks.
     * Wake-ups follow LinkedBlockingQueue: 'queued' counts calls offered and not yet taken; a submit
     * that finds it at 0 wakes one idle worker, and a worker that takes a call and leaves more behind
     * wakes the next. So a burst of submits costs one wake-up, not one per call.
     *
     * Idle reuse follows CPython's idle semaphore: while fewer than maxWorkers threads exist
     * ('workerCount', only ever incremented, maxWorkers times at most), a worker leaves an idle
     * token after its call returned but before it completes the future (so a caller woken by the
     * result and submitting again finds it), and a submit consumes a token if there is one and
     * otherwise starts a thread. At full size the tokens decide nothing and are not touched.
     *
     * Shutdown: 'shutdown' is set, queued calls are cancelled if asked, and every parked worker is
     * woken. A worker exits when it finds the queue empty with 'shutdown' set, so every call
     * accepted before shutdown runs first. A submit that raced with shutdown sees the flag on its
     * re-check and takes its call back off the queue (rejected); if a worker already took it, it
     * runs. Broken (initializer failed): 'broken' is set, queued calls fail with BrokenThreadPool,
     * later submits throw it; the same re-check applies.
     *
     * Guards: 'shutdown' and 'broken' are volatile, written once each. 'workers' is a concurrent
     * queue appended to when a thread starts. Per-worker counts are written by their own thread only.
     */

    /** Names default pools ThreadPoolExecutor-0, -1, ... as CPython does. */
    private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

    private final int maxWorkers;
    private final String threadNamePrefix;
    private final Runnable initializer;
    private final ConcurrentLinkedQueue<Task<?>> queue = new ConcurrentLinkedQueue<>();
    /**
     * Calls queued: incremented after a call is offered, decremented after one is taken (so it may
     * lag the queue briefly, even below zero). As LinkedBlockingQueue's count, it decides wake-ups:
     * a submit that moves it from 0 wakes a parked worker, and a worker that leaves more behind wakes
     * the next, so a burst of submits wakes one worker, not one per call. Why no call is stranded:
     * after the last worker to park re-checked the queue, no worker takes or counts down anything, so
     * the count only rises from a value at or below zero, and the submit that moves it from 0 wakes that worker.
     */
    private final AtomicInteger queued = new AtomicInteger();
    /** Parked workers, each at most once (see Worker.parked). */
    private final ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger workerCount = new AtomicInteger();
    private final AtomicInteger idleTokens = new AtomicInteger();
    private final AtomicInteger liveWorkers = new AtomicInteger();
    private final ConcurrentLinkedQueue<Worker> workers = new ConcurrentLinkedQueue<>();
    private final TaskStats stats = new TaskStats();
    private volatile boolean shutdown;
    private volatile String broken;
    /**
     * Lets the JVM exit hook stop waiting: released when the last worker ended after shutdown, or
     * when the pool's owner gave up waiting for its calls ({@link #interruptWorkers()}, as Spring's
     * shutdown timeout does), so that a call ignoring interrupts cannot hold the JVM forever then.
     */
    private final java.util.concurrent.CountDownLatch exitReleased = new java.util.concurrent.CountDownLatch(1);

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
        Task<T> task = new Task<>(stats, fn);
        enqueue(task);
        return task;
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

    private void enqueue(Task<?> task) {
        stats.submitted();
        // Offer first, count second (LinkedBlockingQueue does both under one lock). Counting first
        // lost calls: a worker could see the count, wake a helper, find nothing, and park with the
        // others before the offer, while this submit saw the count above 0 and woke nobody.
        queue.offer(task);
        int c = queued.getAndIncrement();
        if (workerCount.get() < maxWorkers && !tryConsumeIdleToken()) {
            startWorkerIfBelowMax();
        }
        if (c == 0) {
            signalIdleWorker();
        }
        if ((shutdown || broken != null) && queue.remove(task)) {
            // Raced with shutdown or breakage and no worker took it: reject, as if it came later.
            queued.decrementAndGet();
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

    /** Wakes one parked worker, if any. */
    private void signalIdleWorker() {
        Worker w = idle.poll();
        if (w != null) {
            w.parked = false;
            LockSupport.unpark(w.thread);
        }
    }

    private void wakeAllIdleWorkers() {
        for (Worker w; (w = idle.poll()) != null; ) {
            w.parked = false;
            LockSupport.unpark(w.thread);
        }
    }

    /** Takes a queued task off the queue (for cancelling or failing it), or null. */
    private Task<?> pollQueued() {
        Task<?> t = queue.poll();
        if (t != null) {
            queued.decrementAndGet();
        }
        return t;
    }

    // ------------------------------------------------------------------ workers

    /*
     * A worker's 'busy' and 'completed' are written twice and once per call by the worker alone and
     * read only for monitoring and for interruptWorkers(), which are best effort anyway (a call may
     * start or end just after they look). So they are written with opaque stores: on x86 a plain
     * move, where a volatile store is a locked instruction that waits for its cache line. Three such
     * stores per call made a flood of no-op calls about 10 % slower pinned to one CPU, and
     * free-running on two vCPUs (the workers' fields can share a cache line) slower in one
     * comparison of 60 floods each: median 26.1 against 14.5 ms per 100 000 calls (see
     * BENCHMARKS.md). The JDK's pool keeps its per-worker count in a plain field too.
     */
    private static final VarHandle BUSY;
    private static final VarHandle COMPLETED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BUSY = lookup.findVarHandle(Worker.class, "busy", boolean.class);
            COMPLETED = lookup.findVarHandle(Worker.class, "completed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final class Worker implements Runnable {
        final Thread thread;
        final Instant startedAt = Instant.now();
        /** Calls this worker ran; written only by its thread, with {@link #COMPLETED} (opaque). */
        long completed;
        /** Whether a call runs now; written only by this worker's thread, with {@link #BUSY} (opaque). */
        boolean busy;
        /** True while on the idle list; cleared by whoever takes it off (the waker or itself). */
        volatile boolean parked;

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
                    Task<?> task = queue.poll();
                    if (task != null) {
                        if (queued.getAndDecrement() > 1) {
                            signalIdleWorker(); // more queued: wake a helper, as LinkedBlockingQueue.take does
                        }
                        BUSY.setOpaque(this, true);
                        try {
                            task.run(ThreadPoolExecutor.this);
                        } finally {
                            BUSY.setOpaque(this, false);
                            COMPLETED.setOpaque(this, completed + 1);
                            Thread.interrupted(); // an interrupt aimed at the call must not hit the next one
                        }
                        continue;
                    }
                    if (shutdown) {
                        return; // nothing left: every call accepted before shutdown has been taken
                    }
                    awaitWork();
                }
            } finally {
                if (liveWorkers.decrementAndGet() == 0 && shutdown) {
                    exitReleased.countDown();
                }
            }
        }

        /** Parks on the idle list until a submit or shutdown wakes it. */
        private void awaitWork() {
            parked = true;
            idle.offer(this);
            // Re-check after announcing: a call queued (or shutdown begun) before the announcement
            // found nobody to wake.
            if ((!queue.isEmpty() || shutdown) && idle.remove(this)) {
                parked = false;
                return;
            }
            while (parked) {
                LockSupport.park(this);
                Thread.interrupted(); // a stale interrupt must not turn the park into a spin
            }
        }
    }

    /** A call and its future in one object; run by a worker. */
    private static final class Task<T> extends TrackedFuture<T> {
        /** The call; cleared once run so that a kept future does not keep the call alive. */
        private Callable<T> fn;

        Task(TaskStats stats, Callable<T> fn) {
            super(stats);
            this.fn = fn;
        }

        void run(ThreadPoolExecutor pool) {
            Callable<T> call = fn;
            fn = null;
            if (!setRunningOrNotifyCancel()) {
                pool.workerReturning();
                return;
            }
            T value;
            try {
                value = call.call();
            } catch (Throwable t) {
                pool.workerReturning();
                complete(t, null);
                return;
            }
            pool.workerReturning();
            complete(null, value);
        }

        private void complete(Throwable t, T value) {
            try {
                if (t != null) {
                    setException(t);
                } else {
                    setResult(value);
                }
            } catch (InvalidStateError userCompletedIt) {
                // Someone completed the future from outside; the call's outcome is dropped.
            }
        }

        void fail(Throwable t) {
            ((Future<T>) this).trySetException(t);
        }
    }

    /**
     * A worker finished a call and is on its way back to the queue: while the pool may still grow,
     * leave an idle token (before the future completes, so that a caller woken by the result and
     * submitting again reuses this worker instead of starting a thread). At full size tokens decide
     * nothing, so the shared counter is left alone.
     */
    private void workerReturning() {
        if (workerCount.get() < maxWorkers) {
            idleTokens.incrementAndGet();
        }
    }

    private void initializerFailed(Throwable t) {
        String reason = "A thread initializer failed, the thread pool is not usable anymore ("
                + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ")";
        broken = reason;
        BrokenThreadPool failure = new BrokenThreadPool(reason, t);
        for (Task<?> task; (task = pollQueued()) != null; ) {
            task.fail(failure);
        }
    }

    // ------------------------------------------------------------------ shutdown

    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        shutdown = true;
        if (cancelFutures) {
            // Drain first so that no worker starts a call we are about to cancel.
            List<Task<?>> drained = new ArrayList<>();
            for (Task<?> task; (task = pollQueued()) != null; ) {
                drained.add(task);
            }
            for (Task<?> task : drained) {
                task.cancel();
            }
        }
        wakeAllIdleWorkers();
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
        exitReleased.countDown(); // the owner gave up waiting: so does the JVM exit hook
        for (Worker w : workers) {
            if ((boolean) BUSY.getOpaque(w)) {
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
                details.add(new WorkerSnapshot(w.thread.getName(), -1L, (long) COMPLETED.getOpaque(w), w.startedAt,
                        (boolean) BUSY.getOpaque(w)));
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

    /** The JVM exit hook's part: stop taking calls and wake every parked worker to finish. */
    void beginJvmExit() {
        shutdown = true;
        wakeAllIdleWorkers();
    }

    /** Whether any worker thread is alive (an idle pool never holds the JVM). */
    boolean hasLiveWorkers() {
        return liveWorkers.get() > 0;
    }

    /**
     * The JVM exit hook's wait: until the last worker ended, or the owner gave up on the pool
     * ({@link #interruptWorkers()}).
     */
    void awaitJvmExit() throws InterruptedException {
        exitReleased.await();
    }

    /** The worker threads, for the JVM exit hook. */
    List<Thread> poolThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Worker w : workers) {
            threads.add(w.thread);
        }
        return threads;
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
