package io.github.futures;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.WorkerSnapshot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
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
final class ThreadPool {

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
     * it was not ended, and starts a replacement before it leaves; a replacement that fails before it
     * ran a call breaks the pool instead (a fault that repeats would otherwise replace for ever).
     *
     * Guards: 'broken' is volatile, written once. 'workerCount' counts threads that exist or are
     * about to (at most maxWorkers; a replaced worker is taken off before its replacement counts).
     * 'workers' is a concurrent queue appended to just before a thread starts (and taken off again
     * if it cannot start). Per-worker counts are written by their own thread only. 'abandoned' is
     * volatile, set once by interruptWorkers.
     *
     * Misbehaving calls (ThreadTask, CallTimeouts, DeadlockWatch): cancel(true) and a call timeout
     * interrupt through ThreadTask's runner handshake. A worker whose call ignores its timeout is
     * abandoned by the timer thread (abandon): off 'workers' and 'workerCount', its units released
     * for it (itself, its call, and the calls it ended and had not released: Worker.endedUnreleased),
     * so it neither holds shutdown nor a maxWorkers slot; it leaves without touching the pool when the
     * call returns. 'blocked' counts workers whose call waits for a future of this pool or for its
     * end, 'deadlockWarned' is set by the one warning of an episode and cleared when a worker is free again.
     * 'pendingLimit' (maxPending) is taken after admission and returned by the future when it leaves
     * PENDING. 'interceptor' (final, may be null): submit asks it for the call's scope on the submitting
     * thread (ScopedCall), queues the scope's wrapped call and adds the scope as a done callback; nothing
     * of it is in ThreadTask, so a pool without one pays one null check. Resizing (setMaxWorkers): a grown pool starts workers as calls wait for one; after a
     * shrink, a worker that finds 'workerCount' above 'maxWorkers' at the top of its loop (before it
     * takes a call) takes itself off with one CAS and leaves, so busy workers leave after their call
     * and parked ones are woken to do so (off 'workers' before its unit is released, as an abandoned
     * one). Events: WORKER_STARTED / WORKER_RETIRED where a thread starts or leaves, SHUTDOWN_STARTED
     * by the shutdown that set the flag, TERMINATED by whichever release (or shutdown) ended the queue.
     */

    /**
     * The logger, looked up when first needed: {@code System.getLogger} looks for a logging back-end
     * (a service look-up over the class path) and would cost a cold JVM milliseconds where no message is ever logged.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(ThreadPoolExecutor.class.getName());
    }

    /** The most workers; volatile: {@link #setMaxWorkers} changes it while the pool runs. */
    volatile int maxWorkers;
    final String threadNamePrefix;
    final Runnable initializer;
    final TaskStats stats = new TaskStats();
    final WorkQueue<ThreadTask<?>> work = new WorkQueue<>();
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
    /**
     * Whether workers are virtual threads. They are made and run like platform workers (at most
     * maxWorkers, each looping over the FIFO queue and parking when idle), so the limit, the order,
     * cancellation and the snapshot are the same; only the carrier differs.
     */
    final boolean virtual;
    /** The bound on pending calls (maxPending), or null for none (CPython's default). */
    final PendingLimit pendingLimit;
    /** The call timeout, or null (then no timer is armed, nothing is scheduled). */
    final CallTimeouts timeouts;
    /**
     * Gives each call its scope (context, observation), or null: then submit takes its plain path and
     * nothing is made or checked per call beyond this one field (see {@link ScopedCall}).
     */
    final CallInterceptor interceptor;
    /** This pool as the interceptor sees it. */
    final CallInterceptor.CallInfo callInfo;
    /** Worker threads given up because their call ignored its timeout's interrupt (see abandon). */
    private final AtomicInteger abandonedThreads = new AtomicInteger();
    /** Workers whose call waits for a future of this pool or for its end (see enterBlocked). */
    private final AtomicInteger blocked = new AtomicInteger();
    /** Set when the deadlock warning of the current episode was logged. */
    private final java.util.concurrent.atomic.AtomicBoolean deadlockWarned = new java.util.concurrent.atomic.AtomicBoolean();
    /** The worker the current thread is, if it is one of a ThreadPool (platform or virtual thread). */
    static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
    /**
     * The units of drained calls that the current thread holds while it cancels or fails them
     * ({@link #endDrained}): their done callbacks run in this thread before it releases them, so a
     * shutdown(wait=true) in such a callback does not wait for them, as a call's does not wait for
     * itself. A one-element array while the thread does so, otherwise unset.
     */
    private final ThreadLocal<long[]> drainedHere = new ThreadLocal<>();
    /** The pool's own threads (calls, callbacks) waiting for its end ({@link #awaitTermination}). */
    private final Set<Thread> ownWaiters = ConcurrentHashMap.newKeySet();

    ThreadPool(int maxWorkers, String threadNamePrefix, Runnable initializer) {
        this(maxWorkers, threadNamePrefix, initializer, null);
    }

    /**
     * @param callTimeout how long a call may run before it fails with TimeoutError and is
     *     interrupted, or null for no limit
     */
    ThreadPool(int maxWorkers, String threadNamePrefix, Runnable initializer, java.time.Duration callTimeout) {
        this(maxWorkers, threadNamePrefix, initializer, callTimeout, 0, false, null);
    }

    /**
     * @param maxPending the most calls pending at once (a submit beyond is rejected), or 0 for no limit
     * @param virtual whether workers are virtual threads (JDK 21+)
     * @param interceptor gives each call its scope, or null
     */
    ThreadPool(int maxWorkers, String threadNamePrefix, Runnable initializer, java.time.Duration callTimeout,
               int maxPending, boolean virtual, CallInterceptor interceptor) {
        if (virtual) {
            VirtualThreads.require();
        }
        this.virtual = virtual;
        this.maxWorkers = maxWorkers;
        this.pendingLimit = maxPending > 0 ? new PendingLimit(maxPending, threadNamePrefix, stats) : null;
        this.threadNamePrefix = threadNamePrefix;
        this.initializer = initializer;
        this.interceptor = interceptor;
        this.callInfo = new CallInterceptor.CallInfo(threadNamePrefix, "thread");
        // A timeout of more than a century is none (Timeouts.toNanosOrForever).
        this.timeouts = callTimeout == null || Timeouts.toNanosOrForever(callTimeout) < 0L
                ? null : new CallTimeouts(this, callTimeout);
    }

    // ------------------------------------------------------------------ submit

    <T> Future<T> submit(Callable<T> fn) {
        if (interceptor != null) {
            return submitScoped(fn);
        }
        return accept(fn);
    }

    /**
     * The submit of a pool with an interceptor: the scope is asked for on this thread, the worker runs
     * the scope's wrapped call (which tells it of the start), and the future's done callback tells it
     * of the end; a refused submit tells it of the refusal.
     */
    private <T> Future<T> submitScoped(Callable<T> fn) {
        return ScopedCall.submit(interceptor, callInfo, sc -> {
            Future<T> f = accept(sc.wrap(fn));
            f.addDoneCallback(sc);
            return f;
        });
    }

    private <T> Future<T> accept(Callable<T> fn) {
        if (!work.admit()) {
            throw rejection();
        }
        ThreadTask<T> task = new ThreadTask<>(this, stats, fn);
        PendingLimit limit = pendingLimit;
        if (limit != null) {
            if (!limit.tryAcquire()) {
                release(); // the admitted unit: the call is not accepted
                throw limit.rejected();
            }
            task.holdPendingSlot(limit); // returned when the call starts, or ends before it started
        }
        stats.submitted();
        if (!work.offer(task)) {
            // Shut down or broken between admit and offer, and no worker took the call: rejected,
            // as if it came later.
            stats.unsubmitted();
            task.releasePendingSlot();
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
        startWorkerIfBelowMax(null);
    }

    /**
     * Starts a worker unless maxWorkers exist. The caller holds a unit (a call or a worker).
     *
     * @param replacing the worker that failed and that this one replaces, or null
     */
    private void startWorkerIfBelowMax(Worker replacing) {
        for (int n; (n = workerCount.get()) < maxWorkers; ) {
            if (workerCount.compareAndSet(n, n + 1)) {
                Worker w = null;
                boolean unit = false;
                try {
                    w = new Worker(threadNamePrefix + "_" + threadNames.getAndIncrement(), replacing);
                    work.workerStarting();
                    unit = true;
                    workers.add(w);
                    w.thread.start();
                } catch (Throwable t) { // no thread could be made (out of memory or of native threads)
                    if (w != null) {
                        workers.remove(w);
                    }
                    workerCount.decrementAndGet();
                    if (unit) {
                        release();
                    }
                    if (workerCount.get() == 0) {
                        breakPool("a worker thread could not be started", t);
                    }
                    return;
                }
                // Once started, the thread is counted whatever happens here (a failure here was once
                // taken for a thread that could not start, and the pool broke with the thread running).
                stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_STARTED, -1L, null, w.thread.getName()));
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
    private ThreadTask<?> pollQueued() {
        ThreadTask<?> t = work.poll();
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

    final class Worker implements Runnable {
        final Thread thread;
        final Instant startedAt = Instant.now();
        /** Calls this worker ran; written only by its thread, with {@link #COMPLETED} (opaque). */
        long completed;
        /** Whether a call runs now; written only by this worker's thread, with {@link #BUSY} (opaque). */
        boolean busy;
        /**
         * What this worker's call waits for in its own pool: nothing (0), one of its futures (DeadlockWatch:
         * {@link #WAITS_FOR_FUTURE}) or its end ({@link #WAITS_FOR_END}); for the deadlock warning only.
         */
        volatile int waitsInOwnPool;
        /** True while on the idle list; cleared by whoever takes it off (the waker or itself). */
        volatile boolean parked;
        /**
         * Calls this worker ended whose units it has not released yet (WorkQueue's note): released
         * together before it parks or waits for termination, and when it leaves. Written only by its
         * thread; read by {@link #abandon} once the thread was given up.
         */
        long endedUnreleased;

        /**
         * The name of the worker whose fault this one replaces, or null (see {@link #poolFault}): the
         * name, not the worker, so that a chain of replacements does not keep the old ones.
         */
        final String replaced;
        /** Whether this worker ran a call to its end without a fault of its own; written only by its thread. */
        boolean served;

        Worker(String name, Worker replacing) {
            this.thread = virtual ? VirtualThreads.unstarted(name, this) : new WorkerThread(this, name, ThreadPool.this);
            this.replaced = replacing == null ? null : replacing.thread.getName();
        }

        /** The pool this worker serves. */
        ThreadPool pool() {
            return ThreadPool.this;
        }

        @Override
        public void run() {
            boolean counted = true; // false once the pool abandoned this thread: it released our unit
            CURRENT.set(this);
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
                    if (workerCount.get() > maxWorkers && retireAboveMax(this)) {
                        return; // the pool shrank (setMaxWorkers): one worker fewer
                    }
                    ThreadTask<?> task = work.poll();
                    if (task != null) {
                        if (!runTask(task)) {
                            counted = false;
                            return; // abandoned during a call that ignored its timeout: not ours anymore
                        }
                        if (!served) {
                            served = true; // a fault from now on is not one that repeats at once (poolFault)
                        }
                        continue;
                    }
                    if (work.mayExit()) {
                        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_RETIRED, -1L, "shutdown",
                                thread.getName()));
                        return; // shut down, then found empty: every accepted call has been taken
                    }
                    if (!work.isShutdown()) {
                        awaitWork();
                    } // shut down but a call arrived after the poll: take it
                }
            } catch (Throwable fault) {
                poolFault(this, fault);
            } finally {
                CURRENT.remove();
                if (counted) {
                    release(1L + endedUnreleased); // itself and its calls not yet released
                }
            }
        }

        /** Releases the units of the calls this worker ended and has not released yet. */
        void releaseEnded() {
            long n = endedUnreleased;
            if (n > 0L) {
                endedUnreleased = 0L;
                release(n);
            }
        }

        /**
         * Runs a task taken from the queue; its unit is released (counted in endedUnreleased, for a
         * later release), whatever happens, unless the pool abandoned this thread meanwhile
         * (then the pool released it): returns false then.
         */
        private boolean runTask(ThreadTask<?> task) {
            boolean counted = true;
            try {
                if (queued.getAndDecrement() > 1) {
                    signalIdleWorker(); // more queued: wake a helper, as LinkedBlockingQueue.take does
                }
                BUSY.setOpaque(this, true);
                counted = task.run(this);
                return counted;
            } catch (Throwable fault) { // not the call's (ThreadTask.run catches those): the pool's own
                task.fail(new BrokenThreadPool("the worker running this call failed: " + fault, fault));
                throw fault;
            } finally {
                BUSY.setOpaque(this, false);
                COMPLETED.setOpaque(this, completed + 1);
                Thread.interrupted(); // an interrupt aimed at the call must not hit the next one
                if (counted) {
                    endedUnreleased++; // released with the others before it parks or when it leaves
                }
            }
        }

        /** Parks on the idle list until a submit or shutdown wakes it. */
        private void awaitWork() {
            releaseEnded(); // a parked worker holds no unit but its own
            parked = true;
            idle.offer(this);
            // Re-check after announcing: a call queued (or shutdown begun) before the announcement
            // found nobody to wake.
            if ((!work.isEmpty() || work.isShutdown() || workerCount.get() > maxWorkers) && idle.remove(this)) {
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
     *
     * <p>A fault may repeat in every replacement (one that no call causes: memory that stays short, a
     * hostile environment); replacing for ever would spin, with the pool never broken and its calls never
     * run. So, as a process pool does not replace a worker that died before it ever served, a replacement
     * that fails before it ran a call to its end is not replaced: the pool breaks, saying what repeated,
     * and every queued and later call fails with BrokenThreadPool. The count comes first and the log last,
     * guarded: a log that threw once left the worker counted for ever, a slot no thread would fill.
     */
    private void poolFault(Worker w, Throwable fault) {
        boolean repeated = w.replaced != null && !w.served;
        try {
            idle.remove(w);
            workerCount.decrementAndGet();
            signalIdleWorker(); // in case a wake-up was meant for this worker
            if (repeated) {
                breakPool("worker " + w.thread.getName() + " of " + threadNamePrefix + " failed in the pool's own"
                        + " code before it ran a call, as did the worker it replaced (" + w.replaced + "): the fault"
                        + " repeats, so the thread pool is not usable anymore (" + Throwables.describe(fault) + ")",
                        fault);
            } else if (!work.mayExit()) {
                startWorkerIfBelowMax(w);
            }
        } catch (Throwable again) {
            fault.addSuppressed(again);
        } finally {
            Throwables.logFailure(Log.LOG, "worker " + w.thread.getName() + " of " + threadNamePrefix + " failed; "
                    + (repeated ? "the pool is broken: its replacement failed too" : "starting a replacement"), fault);
        }
    }

    /**
     * The pool has more workers than {@code maxWorkers} (it shrank): {@code w}, between calls, takes
     * itself off the count, unless others did first. Its unit is released by its loop's end.
     *
     * @return whether {@code w} is to leave
     */
    private boolean retireAboveMax(Worker w) {
        for (int n; (n = workerCount.get()) > maxWorkers; ) {
            if (workerCount.compareAndSet(n, n - 1)) {
                workers.remove(w);
                stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_RETIRED, -1L, "resize", w.thread.getName()
                        + " left: maxWorkers of " + threadNamePrefix + " is now " + maxWorkers));
                if (!work.isEmpty()) {
                    signalIdleWorker(); // a wake-up may have been meant for this worker
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Sets maxWorkers: growing starts workers for the calls that wait (at most one per queued call);
     * shrinking wakes the parked workers, so that those above the limit leave now, and busy ones
     * leave after their call ({@link #retireAboveMax}).
     */
    synchronized void setMaxWorkers(int max) {
        int old = maxWorkers;
        maxWorkers = max;
        if (max < old) {
            wakeAllIdleWorkers();
        } else if (max > old && work.admit()) { // a unit held, as a submit holds one, while workers start
            try {
                for (int want = queued.get(); want > 0 && workerCount.get() < max; want--) {
                    startWorkerIfBelowMax();
                }
            } finally {
                release();
            }
        }
    }

    /** Cancels the queued calls (they never start); running ones go on. @return how many this cancelled */
    int cancelPending() {
        return endDrained(drainQueued(), null);
    }

    /** Takes every queued call off the queue, so that no worker starts one about to be cancelled or failed. */
    private List<ThreadTask<?>> drainQueued() {
        List<ThreadTask<?>> drained = new ArrayList<>();
        for (ThreadTask<?> task; (task = pollQueued()) != null; ) {
            drained.add(task);
        }
        return drained;
    }

    /**
     * Cancels (or, with a failure, fails) drained calls, releasing each one's unit once its future has
     * ended and its callbacks have run; meanwhile this thread holds those units ({@link #drainedHere}).
     *
     * @return how many this cancelled
     */
    private int endDrained(List<ThreadTask<?>> drained, BrokenThreadPool failure) {
        if (drained.isEmpty()) {
            return 0;
        }
        long[] held = drainedHere.get();
        boolean outermost = held == null;
        if (outermost) {
            held = new long[1];
            drainedHere.set(held);
        }
        held[0] += drained.size();
        int n = 0;
        try {
            for (ThreadTask<?> task : drained) {
                try {
                    if (failure != null) {
                        task.fail(failure);
                    } else if (!task.cancelled() && task.cancel()) { // cancel() is also true for one cancelled before
                        n++;
                    }
                } finally {
                    held[0]--;
                    release();
                }
            }
        } finally {
            if (outermost) {
                drainedHere.remove();
            }
        }
        return n;
    }

    /** Releases one unit of the WorkQueue, and tells the pool's listeners if that ended the pool. */
    private void release() {
        release(1L);
    }

    /** Releases {@code n} units at once (see {@link Worker#endedUnreleased}). */
    private void release(long n) {
        if (work.release(n)) {
            terminated();
        }
    }

    private void terminated() {
        stats.publish(PoolEvent.now(PoolEvent.Type.TERMINATED, -1L, null,
                threadNamePrefix + ": every accepted call has ended and every worker has left"));
    }

    /**
     * Gives up a worker whose call ignored the interrupt of its call timeout (on the timer thread;
     * the call's future already failed with TimeoutError). The thread no longer counts: it is off
     * the worker list and 'workerCount', so a new worker may serve the queue and shutdown(wait=true)
     * does not wait for it; its two units (itself and its call) are released here, after a
     * replacement was counted if calls are queued. When the call returns at last, the thread leaves
     * without touching the pool and its result is discarded (ThreadTask.run). The call is named by its
     * class, never by its toString: that of a record or of a task class shows its arguments, and the
     * detail goes to the log and to the pool's events, which endpoints and dashboards show.
     */
    void abandon(Worker w, Object call, String timeoutText) {
        workers.remove(w);
        workerCount.decrementAndGet();
        abandonedThreads.incrementAndGet();
        // The call is named by its class (its toString() is user code, and may hold its arguments), and
        // the log is guarded: the units below must be released whatever happens here (or the pool never terminates).
        String detail = "thread " + w.thread.getName() + " of " + threadNamePrefix
                + " ignored the interrupt of its call timeout of " + timeoutText + " and was abandoned (call: "
                + WorkerRecycler.describe(call) + "); a new worker may take its place";
        try {
            Log.LOG.log(System.Logger.Level.WARNING, detail);
        } catch (Throwable ignored) {
            // a logging back-end that fails must not keep the pool from terminating
        }
        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_REPLACED, -1L, "timeout", detail));
        if (!work.isEmpty()) {
            startWorkerIfBelowMax(); // we still hold the two units: the queue cannot end meanwhile
        }
        // The call's unit, the worker's, and those of the calls it ended before and had not released
        // yet (written by its thread before it claimed this call; the runner CASes order them before here).
        release(2L + w.endedUnreleased);
    }

    /** {@link Worker#waitsInOwnPool}: the call waits for a future of its pool. */
    private static final int WAITS_FOR_FUTURE = 1;
    /** {@link Worker#waitsInOwnPool}: the call waits for its pool's end. */
    private static final int WAITS_FOR_END = 2;

    /** A worker's call is about to wait for a future of this pool: see {@link #enterBlocked(Worker, int)}. */
    void enterBlocked(Worker w) {
        enterBlocked(w, WAITS_FOR_FUTURE);
    }

    /**
     * A worker's call is about to wait for a future of this pool, or for the pool's end ({@code what}:
     * {@link #WAITS_FOR_END} for shutdown with wait and awaitTermination). If every worker now does (and
     * the pool cannot grow), nobody may be left to run what they wait for: warn once per episode, naming the
     * pool and the threads. An episode ends when a worker stops waiting. Waits for the pool's end alone
     * return by themselves unless calls are queued (they do not wait for each other), so when every
     * waiting worker waits for the end, it warns only if the queue holds a call.
     */
    private void enterBlocked(Worker w, int what) {
        w.waitsInOwnPool = what;
        int b = blocked.incrementAndGet();
        int n = workerCount.get();
        if (b < n || n < maxWorkers || deadlockWarned.get()) {
            return;
        }
        List<String> names = new ArrayList<>();
        List<String> forTheEnd = new ArrayList<>();
        for (Worker x : workers) {
            int waits = x.waitsInOwnPool;
            if (waits != 0) {
                names.add(x.thread.getName());
                if (waits == WAITS_FOR_END) {
                    forTheEnd.add(x.thread.getName());
                }
            }
        }
        boolean onlyForTheEnd = forTheEnd.size() == names.size();
        if ((onlyForTheEnd && work.isEmpty()) || !deadlockWarned.compareAndSet(false, true)) {
            return;
        }
        String head = "possible deadlock in " + threadNamePrefix + ": every worker (" + n + " of maxWorkers="
                + maxWorkers + ") is waiting inside a call ";
        String message;
        if (forTheEnd.isEmpty()) {
            message = head + "for a future of the same pool, so no worker is free to run it; threads " + names
                    + ". Raise maxWorkers, submit the inner calls to another pool, or do not wait for them inside"
                    + " a call";
        } else if (onlyForTheEnd) {
            message = head + "for the pool's end while calls are queued, so no worker is free to run them; threads "
                    + names + ". Raise maxWorkers, or shut the pool down and wait for it from outside its calls";
        } else {
            message = head + "for a future of the same pool or for the pool's end, so no worker is free to run what"
                    + " they wait for; threads " + names + ", of them waiting for the pool's end: " + forTheEnd
                    + ". Raise maxWorkers, submit the inner calls to another pool, or wait for neither inside a call";
        }
        Log.LOG.log(System.Logger.Level.WARNING, message);
    }

    /** The wait counted by {@link #enterBlocked} ended. */
    void exitBlocked(Worker w) {
        w.waitsInOwnPool = 0;
        if (blocked.decrementAndGet() < workerCount.get()) {
            deadlockWarned.set(false); // the episode is over: a worker is free again
        }
    }

    /** Worker threads given up after a call timeout (they may still run, uncounted). */
    int abandonedThreads() {
        return abandonedThreads.get();
    }

    /**
     * A worker finished a call and is on its way back to the queue: while the pool may still grow,
     * leave an idle token (before the future completes, so that a caller woken by the result and
     * submitting again reuses this worker instead of starting a thread). At full size tokens decide
     * nothing, so the shared counter is left alone.
     *
     * @return whether a token was left
     */
    boolean workerReturning() {
        if (workerCount.get() < maxWorkers) {
            idleTokens.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Takes back the idle token a worker left just before it found it was abandoned (ThreadTask.run). */
    void idleTokenTakenBack() {
        tryConsumeIdleToken();
    }

    /**
     * Breaks the pool for an initializer's exception. Its message is user code too and is read once,
     * guarded: an exception here would reach the worker's fault path, whose replacement runs the
     * initializer again, and so on without end, with the pool never broken and its calls never ended.
     */
    private void initializerFailed(Throwable t) {
        String message;
        try {
            message = t.getMessage();
        } catch (Throwable unreadable) {
            message = "its getMessage() threw " + unreadable.getClass().getName();
        }
        breakPool("A thread initializer failed, the thread pool is not usable anymore ("
                + t.getClass().getName() + (message == null ? "" : ": " + message) + ")", t);
    }

    /** Refuses new calls and fails the queued ones with BrokenThreadPool. */
    private void breakPool(String reason, Throwable cause) {
        if (broken == null) {
            broken = reason;
        }
        work.close();
        endDrained(drainQueued(), new BrokenThreadPool(reason, cause));
    }

    // ------------------------------------------------------------------ shutdown

    void shutdown(boolean cancelFutures) {
        long before = work.shutdownFrom();
        if (WorkQueue.shutDownBy(before)) {
            stats.publish(PoolEvent.now(PoolEvent.Type.SHUTDOWN_STARTED, -1L, null,
                    threadNamePrefix + (cancelFutures ? " shut down, cancelling pending calls" : " shut down")));
        }
        if (WorkQueue.terminatedBy(before)) {
            terminated();
        }
        if (cancelFutures) {
            endDrained(drainQueued(), null);
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
        Worker current = CURRENT.get();
        Worker self = current != null && current.pool() == this ? current : null; // a worker of this pool
        long own = 0L;
        if (self != null) {
            self.releaseEnded();
            own = 2L; // itself and the call that waits
        }
        long[] drained = drainedHere.get();
        if (drained != null) {
            own += drained[0]; // a callback of a call this thread is cancelling or failing
        }
        if (own == 0L) {
            return awaitEnd(me, 0L, nanos);
        }
        // Others of the pool's threads may wait as this one does (calls that shut their pool down with
        // wait): none waits for the others, who cannot end before they return.
        ownWaiters.add(me);
        work.beginOwnWait(own);
        if (self != null) {
            enterBlocked(self, WAITS_FOR_END);
        }
        try {
            return awaitEnd(me, own, nanos);
        } finally {
            if (self != null) {
                exitBlocked(self);
            }
            work.endOwnWait(own);
            ownWaiters.remove(me);
        }
    }

    private boolean awaitEnd(Thread me, long own, long nanos) throws InterruptedException {
        if (!work.awaitUnits(own, nanos)) {
            return false;
        }
        // Every other worker has released its unit, its last action: join() only waits out the
        // return from run(), so that no pool thread is alive when this returns (but those that wait
        // for the pool's end themselves). (Each was started: a worker that failed to start was taken
        // off the list.)
        for (Worker w : workers) {
            if (w.thread != me && !ownWaiters.contains(w.thread)) {
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
    public void beginJvmExit() {
        shutdown(false);
    }

    /**
     * The JVM exit hook's wait: until every accepted call ended and every worker left, or the owner
     * gave up on the pool ({@link #interruptWorkers()}).
     */
    public void awaitJvmExit() throws InterruptedException {
        work.awaitUnits(0L, -1L, () -> abandoned);
    }

    /** The worker threads, for the JVM exit hook. */
    public List<Thread> poolThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Worker w : workers) {
            threads.add(w.thread);
        }
        return threads;
    }
}
