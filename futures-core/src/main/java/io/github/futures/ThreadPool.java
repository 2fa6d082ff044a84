package io.github.futures;

import io.github.futures.spi.TaskStats;
import io.github.futures.spi.TrackedFuture;
import io.github.futures.spi.WorkerSnapshot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine of a {@link ThreadPoolExecutor}: its queue, its worker threads and their wake-ups. The
 * executor is a facade over it, so that worker threads hold only this engine and never the executor:
 * an executor dropped without shutdown becomes unreachable, and its Cleaner shuts this engine down,
 * as CPython's workers end when their executor is garbage-collected.
 *
 * <pre>
 *   submit ──admit──► WorkQueue (ConcurrentLinkedQueue of Tasks) ──poll──► Worker thread
 *      │                                                                  │ Task.run: call, complete
 *      └─ queued 0 → 1: wake one idle Worker (idle list, LockSupport)    └─ release(): unit ended
 * </pre>
 */
final class ThreadPool implements ExitHook.Participant {

    /*
     * Implementation note.
     *
     * Admission, leaving and termination are WorkQueue's protocol (see there): a submit is admitted
     * (one CAS) before it offers its Task, and a worker is counted before its thread starts, so
     * shutdown(wait=true) returns only once every accepted call has ended and every worker has left.
     *
     * A worker loops: poll a task and run it; when the queue is empty it puts itself on the 'idle'
     * list, re-checks the queue (a call queued before the announcement found nobody to wake) and
     * parks. Wake-ups follow LinkedBlockingQueue: 'queued' counts calls offered and not yet taken; a
     * submit that finds it at 0 wakes one idle worker, and a worker that takes a call and leaves more
     * behind wakes the next. So a burst of submits costs one wake-up, not one per call.
     *
     * Idle reuse follows CPython's idle semaphore: while fewer than maxWorkers threads exist
     * ('workerCount'), a worker leaves an idle token after its call returned but before it completes
     * the future (so a caller woken by the result and submitting again finds it), and a submit
     * consumes a token if there is one and otherwise starts a thread. At full size the tokens decide
     * nothing and are not touched.
     *
     * A worker survives whatever a call or a future's owner does: Task.run catches every Throwable of
     * the call, and a future completed or cancelled from outside while queued is dropped. Anything
     * else escaping the loop is a fault of this code: the worker logs it, ends the task's future if
     * it was not ended, and starts a replacement before it leaves.
     *
     * Guards: 'broken' is volatile, written once. 'workerCount' counts threads that exist or are
     * about to (at most maxWorkers; a replaced worker is taken off before its replacement counts).
     * 'workers' is a concurrent queue appended to just before a thread starts (and taken off again
     * if it cannot start). Per-worker counts are written by their own thread only. 'abandoned' is
     * volatile, set once by interruptWorkers.
     */

    /**
     * The logger, looked up when first needed: {@code System.getLogger} looks for a logging back-end
     * (a service look-up over the class path) and would cost a cold JVM milliseconds where no message is ever logged.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(ThreadPoolExecutor.class.getName());
    }

    final int maxWorkers;
    final String threadNamePrefix;
    final Runnable initializer;
    final TaskStats stats = new TaskStats();
    final WorkQueue<Task<?>> work = new WorkQueue<>();
    /**
     * Calls queued: incremented after a call is accepted, decremented after one is taken (so it may
     * lag the queue briefly, even below zero). As LinkedBlockingQueue's count, it decides wake-ups:
     * a submit that moves it from 0 wakes a parked worker, and a worker that leaves more behind wakes
     * the next. Why no call is stranded: after the last worker to park re-checked the queue, no
     * worker takes or counts down anything, so the count only rises from a value at or below zero,
     * and the submit that moves it from 0 wakes that worker.
     */
    private final AtomicInteger queued = new AtomicInteger();
    /** Parked workers, each at most once (see Worker.parked). */
    private final ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger workerCount = new AtomicInteger();
    private final AtomicInteger threadNames = new AtomicInteger();
    private final AtomicInteger idleTokens = new AtomicInteger();
    private final ConcurrentLinkedQueue<Worker> workers = new ConcurrentLinkedQueue<>();
    volatile String broken;
    /**
     * Set when the pool's owner gave up waiting for its calls ({@link #interruptWorkers()}, as
     * Spring's shutdown timeout does): the JVM exit hook stops waiting for it then, so that a call
     * ignoring interrupts cannot hold the JVM forever.
     */
    private volatile boolean abandoned;

    ThreadPool(int maxWorkers, String threadNamePrefix, Runnable initializer) {
        this.maxWorkers = maxWorkers;
        this.threadNamePrefix = threadNamePrefix;
        this.initializer = initializer;
    }

    // ------------------------------------------------------------------ submit

    <T> Future<T> submit(Callable<T> fn) {
        if (!work.admit()) {
            throw rejection();
        }
        Task<T> task = new Task<>(stats, fn);
        stats.submitted();
        if (!work.offer(task)) {
            // Shut down or broken between admit and offer, and no worker took the call: rejected,
            // as if it came later.
            stats.unsubmitted();
            throw rejection();
        }
        int c = queued.getAndIncrement();
        if (workerCount.get() < maxWorkers && !tryConsumeIdleToken()) {
            startWorkerIfBelowMax();
        }
        if (c == 0) {
            signalIdleWorker();
        }
        return task;
    }

    RuntimeException rejection() {
        String b = broken;
        if (b != null) {
            return new BrokenThreadPool(b);
        }
        return new RejectedExecutionException(ExitHook.exiting
                ? "cannot schedule new futures after JVM shutdown began"
                : "cannot schedule new futures after shutdown");
    }

    private boolean tryConsumeIdleToken() {
        for (int t; (t = idleTokens.get()) > 0; ) {
            if (idleTokens.compareAndSet(t, t - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Starts a worker unless maxWorkers exist. The caller holds a unit (a call or a worker). */
    private void startWorkerIfBelowMax() {
        for (int n; (n = workerCount.get()) < maxWorkers; ) {
            if (workerCount.compareAndSet(n, n + 1)) {
                Worker w = new Worker(threadNamePrefix + "_" + threadNames.getAndIncrement());
                work.workerStarting();
                workers.add(w);
                try {
                    w.thread.start();
                } catch (Throwable t) { // no thread could be made (out of memory or of native threads)
                    workers.remove(w);
                    workerCount.decrementAndGet();
                    work.release();
                    if (workerCount.get() == 0) {
                        breakPool("a worker thread could not be started", t);
                    }
                }
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
        Task<?> t = work.poll();
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

    /** A worker thread: it knows its pool, so that a call can tell whether it runs in it. */
    static final class WorkerThread extends Thread {
        final ThreadPool pool;

        WorkerThread(Runnable r, String name, ThreadPool pool) {
            super(r, name);
            this.pool = pool;
            setDaemon(true);
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
            this.thread = new WorkerThread(this, name, ThreadPool.this);
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
                    Task<?> task = work.poll();
                    if (task != null) {
                        runTask(task);
                        continue;
                    }
                    if (work.mayExit()) {
                        return; // shut down, then found empty: every accepted call has been taken
                    }
                    if (!work.isShutdown()) {
                        awaitWork();
                    } // shut down but a call arrived after the poll: take it
                }
            } catch (Throwable fault) {
                poolFault(this, fault);
            } finally {
                work.release();
            }
        }

        /** Runs a task taken from the queue; its unit is released here, whatever happens. */
        private void runTask(Task<?> task) {
            try {
                if (queued.getAndDecrement() > 1) {
                    signalIdleWorker(); // more queued: wake a helper, as LinkedBlockingQueue.take does
                }
                BUSY.setOpaque(this, true);
                task.run(ThreadPool.this);
            } catch (Throwable fault) { // not the call's (Task.run catches those): the pool's own
                task.fail(new BrokenThreadPool("the worker running this call failed: " + fault, fault));
                throw fault;
            } finally {
                BUSY.setOpaque(this, false);
                COMPLETED.setOpaque(this, completed + 1);
                Thread.interrupted(); // an interrupt aimed at the call must not hit the next one
                work.release();
            }
        }

        /** Parks on the idle list until a submit or shutdown wakes it. */
        private void awaitWork() {
            parked = true;
            idle.offer(this);
            // Re-check after announcing: a call queued (or shutdown begun) before the announcement
            // found nobody to wake.
            if ((!work.isEmpty() || work.isShutdown()) && idle.remove(this)) {
                parked = false;
                return;
            }
            while (parked) {
                LockSupport.park(this);
                Thread.interrupted(); // a stale interrupt must not turn the park into a spin
            }
        }
    }

    /**
     * Something escaped a worker's loop that no call and no future's owner can cause: a fault of
     * this code (or the JVM running out of memory inside it). The worker is leaving (its call's future
     * was ended by runTask); a wake-up meant for it is passed on, and a replacement starts unless it
     * may leave anyway.
     */
    private void poolFault(Worker w, Throwable fault) {
        try {
            Log.LOG.log(System.Logger.Level.ERROR, "worker " + w.thread.getName() + " of " + threadNamePrefix
                    + " failed; starting a replacement", fault);
            idle.remove(w);
            signalIdleWorker(); // in case a wake-up was meant for this worker

            workerCount.decrementAndGet();
            if (!work.mayExit()) {
                startWorkerIfBelowMax();
            }
        } catch (Throwable again) {
            fault.addSuppressed(again);
        }
    }

    /** A call and its future in one object; run by a worker. */
    static final class Task<T> extends TrackedFuture<T> {
        /** The call; cleared once run so that a kept future does not keep the call alive. */
        private Callable<T> fn;

        Task(TaskStats stats, Callable<T> fn) {
            super(stats);
            this.fn = fn;
        }

        /** Runs the call and completes the future; throws nothing a call or the future's owner can cause. */
        void run(ThreadPool pool) {
            Callable<T> call = fn;
            fn = null;
            boolean run;
            try {
                run = setRunningOrNotifyCancel();
            } catch (InvalidStateError ownerCompletedIt) {
                run = false; // its owner set a result or an exception while it was queued: dropped
            }
            if (!run) {
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
        breakPool("A thread initializer failed, the thread pool is not usable anymore ("
                + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ")", t);
    }

    /** Refuses new calls and fails the queued ones with BrokenThreadPool. */
    private void breakPool(String reason, Throwable cause) {
        if (broken == null) {
            broken = reason;
        }
        work.close();
        BrokenThreadPool failure = new BrokenThreadPool(reason, cause);
        for (Task<?> task; (task = pollQueued()) != null; ) {
            task.fail(failure);
            work.release();
        }
    }

    // ------------------------------------------------------------------ shutdown

    void shutdown(boolean cancelFutures) {
        work.shutdown();
        if (cancelFutures) {
            // Drain first so that no worker starts a call we are about to cancel.
            List<Task<?>> drained = new ArrayList<>();
            for (Task<?> task; (task = pollQueued()) != null; ) {
                drained.add(task);
            }
            for (Task<?> task : drained) {
                task.cancel();
                work.release();
            }
        }
        wakeAllIdleWorkers();
    }

    /**
     * Waits until every accepted call has ended and every worker has left. A call of this pool that
     * waits does not wait for itself (nor for the worker running it).
     *
     * @param nanos the limit; negative: none
     */
    boolean awaitTermination(long nanos) throws InterruptedException {
        Thread me = Thread.currentThread();
        long own = me instanceof WorkerThread wt && wt.pool == this ? 2L : 0L;
        if (!work.awaitUnits(own, nanos)) {
            return false;
        }
        // Every other worker has released its unit, its last action: join() only waits out the
        // return from run(), so that no pool thread is alive when this returns. (Each was started:
        // a worker that failed to start was taken off the list.)
        for (Worker w : workers) {
            if (w.thread != me) {
                w.thread.join();
            }
        }
        return true;
    }

    /** The same, uninterruptibly (the interrupt status is kept). */
    boolean awaitTerminationUninterruptibly(long nanos) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return awaitTermination(nanos);
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (nanos >= 0L) {
                        return work.isTerminated();
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Shuts down without waiting: the executor was garbage-collected without a shutdown. */
    void dropped() {
        shutdown(false);
    }

    void interruptWorkers() {
        abandoned = true;
        work.wakeWaiters(); // the JVM exit hook, if it waits, stops waiting for this pool
        for (Worker w : workers) {
            if ((boolean) BUSY.getOpaque(w)) {
                w.thread.interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ observability

    int liveWorkers() {
        int n = 0;
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                n++;
            }
        }
        return n;
    }

    int workerCount() {
        return workerCount.get();
    }

    List<WorkerSnapshot> workerSnapshots() {
        List<WorkerSnapshot> details = new ArrayList<>();
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                details.add(new WorkerSnapshot(w.thread.getName(), -1L, (long) COMPLETED.getOpaque(w), w.startedAt,
                        (boolean) BUSY.getOpaque(w)));
            }
        }
        return details;
    }

    // ------------------------------------------------------------------ JVM exit

    /** The JVM exit hook's part: stop taking calls and wake every parked worker to finish. */
    @Override
    public void beginJvmExit() {
        shutdown(false);
    }

    /**
     * The JVM exit hook's wait: until every accepted call ended and every worker left, or the owner
     * gave up on the pool ({@link #interruptWorkers()}).
     */
    @Override
    public void awaitJvmExit() throws InterruptedException {
        work.awaitUnits(0L, -1L, () -> abandoned);
    }

    /** The worker threads, for the JVM exit hook. */
    @Override
    public List<Thread> poolThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Worker w : workers) {
            threads.add(w.thread);
        }
        return threads;
    }
}
