package io.github.futures;

import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.TaskStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * A call of a {@link ThreadPool} and its future in one object; run by a worker. Its running call can
 * be stopped: {@link #cancel(boolean) cancel(true)} (and a call timeout) interrupts the thread running
 * it, and only while that thread still runs this call.
 *
 * <pre>
 *   worker:  poll claims: runner = me ─► RUNNING ─► call() ─► completes the future ─► runner = CLAIMED
 *                                       future ended meanwhile ─► finishRun: me ─CAS─► CLAIMED
 *                                                                 STOPPED ─► CLAIMED, clear the interrupt
 *                                                                 ABANDONED: leave, result discarded
 *   stopper: ends the future, then runner thread t ─CAS─► STOPPING ─► t.interrupt() ─► STOPPED, unpark t
 * </pre>
 *
 * @param <T> the result type
 */
final class ThreadTask<T> extends TrackedFuture<T> implements WorkQueue.Item {

    /*
     * Implementation note.
     *
     * 'runner' says who has the task and who may interrupt whom. It is null while the task is
     * queued; once claimed (WorkQueue.Item.claim: one CAS, so exactly one of a poll and the submitter
     * taking its call back has it) it is the thread that claimed it, for good (never null again, or
     * the submitter could take back a call that already ran). A worker's own poll claims the task
     * for the worker, so the runner is in place before the future turns RUNNING (a cancel(true) that
     * sees RUNNING sees it) without a write of its own. Then: STOPPING while a stopper (cancel(true),
     * a timeout) interrupts that thread, STOPPED once it has, ABANDONED once the pool gave the thread
     * up (see ThreadPool.abandon), and CLAIMED after the call. Transitions, each one CAS or a write by
     * the thread that owns the state:
     *
     *   null -> t                 claim() by thread t: a worker's poll, a drain, or the submitter
     *                             taking its task back (only a worker's goes on to RUNNING)
     *   t -> CLAIMED              the worker, after the call returned (below)
     *   t -> STOPPING -> STOPPED  a stopper; the interrupt happens in between
     *   STOPPED -> CLAIMED        the worker, after the call returned; it then clears its interrupt
     *   STOPPED -> ABANDONED      the pool, when the call ignored the interrupt past its grace
     *
     * A stopper acts only after it moved the future out of RUNNING (cancel(true): RUNNING ->
     * CANCELLED_AND_NOTIFIED; a timeout: its TimeoutError). So after the call the worker first tries
     * to complete the future: if that CAS wins, no stopper will ever look at 'runner' for this call,
     * and the worker writes CLAIMED without a CAS (for the collector: a kept future then holds no
     * thread). If it loses, a stopper may be at work and the worker takes 'runner' back by CAS
     * (finishRun).
     *
     * Why the next call is never hit: the stopper interrupts only after its CAS from t to STOPPING,
     * which cannot happen once the worker completed the future and fails once the worker moved t to
     * CLAIMED; and a worker that finds STOPPING waits (parks, clearing the interrupt each time, so the
     * park blocks) until STOPPED, then clears the interrupt before it takes its next call. The
     * interrupt is thus delivered and cleared within this call.
     *
     * 'fn' is written at construction and published by the queue; cleared by the worker once run.
     * 'next' is WorkQueue's link (see there): the queue needs no node of its own per call, so a
     * queued call is this object alone, 56 bytes with compressed oops (Future: state, outcome,
     * stack, dead; TrackedFuture: stats, timing, pendingSlot; here: pool, fn, runner, next).
     */

    static final Object CLAIMED = new Object();
    static final Object STOPPING = new Object();
    static final Object STOPPED = new Object();
    static final Object ABANDONED = new Object();

    final ThreadPool pool;
    /** The call; cleared once run so that a kept future does not keep the call alive. */
    private Callable<T> fn;
    /** See the note. */
    private volatile Object runner;
    /** WorkQueue's link; read and written by WorkQueue only. */
    private volatile WorkQueue.Item next;

    ThreadTask(ThreadPool pool, TaskStats stats, Callable<T> fn) {
        super(stats);
        this.pool = pool;
        this.fn = fn;
    }

    /**
     * Runs the call and completes the future; throws nothing a call or the future's owner can cause.
     *
     * @param worker the worker running it
     * @return {@code false} if the pool abandoned the worker while the call ran (the worker leaves
     *     without releasing anything: the pool released its units)
     */
    boolean run(ThreadPool.Worker worker) {
        Callable<T> call = fn;
        fn = null;
        Thread me = Thread.currentThread();
        if (runner != me) { // the pool's poll claimed it for this thread; a guard, so that an interrupt
            runner = me;    // for this call can only ever reach the thread running it
        }
        boolean run;
        try {
            run = setRunningOrNotifyCancel();
        } catch (InvalidStateError ownerCompletedIt) {
            run = false; // its owner set a result or an exception while it was queued: dropped
        }
        if (!run) {
            runner = CLAIMED;
            pool.workerReturning();
            return true;
        }
        CallTimeouts.Timer timer = pool.timeouts == null ? null : pool.timeouts.start(this, worker, call);
        T value = null;
        Throwable failure = null;
        try {
            value = call.call();
        } catch (Throwable t) {
            failure = t;
        }
        if (timer != null) {
            timer.cancel();
        }
        boolean token = pool.workerReturning(); // before the future completes: a caller it wakes finds this worker
        if (failure != null ? trySetException(failure) : trySetResult(value)) {
            RUNNER.setOpaque(this, CLAIMED); // no stopper can come now (see the note)
            return true;
        }
        // Cancelled, timed out or completed by its owner while it ran: the outcome is dropped, and a
        // stopper may be interrupting this thread now.
        if (!finishRun(me)) {
            if (token) {
                pool.idleTokenTakenBack(); // abandoned: this thread will not come back for work
            }
            return false; // the future was completed with TimeoutError long ago
        }
        return true;
    }

    /** After the call returned: takes 'runner' back; false if the pool abandoned this thread. */
    private boolean finishRun(Thread me) {
        for (;;) {
            Object r = runner;
            if (r == me) {
                if (RUNNER.compareAndSet(this, me, CLAIMED)) {
                    return true;
                }
            } else if (r == STOPPED) {
                if (RUNNER.compareAndSet(this, STOPPED, CLAIMED)) {
                    Thread.interrupted(); // the stop's interrupt is delivered: clear it here
                    return true;
                }
            } else if (r == ABANDONED) {
                return false;
            } else { // STOPPING: the stopper is interrupting this thread now; wait for it to finish
                Thread.interrupted();
                LockSupport.park(this);
            }
        }
    }

    /**
     * Interrupts the thread running this call, if it still runs it.
     *
     * @return whether it was interrupted (then 'runner' is STOPPED)
     */
    boolean interruptRunner() {
        Object r = runner;
        if (r instanceof Thread t && RUNNER.compareAndSet(this, t, STOPPING)) {
            try {
                t.interrupt();
            } finally {
                runner = STOPPED;
                LockSupport.unpark(t);
            }
            return true;
        }
        return false;
    }

    /** The pool gives the running thread up; true if it was still stopped in this call. */
    boolean abandon() {
        return RUNNER.compareAndSet(this, STOPPED, ABANDONED);
    }

    @Override
    protected boolean canStopRunningCall() {
        return true;
    }

    @Override
    protected void stopRunningCall() {
        if (interruptRunner()) {
            pool.stats.publish(PoolEvent.now(PoolEvent.Type.CALL_CANCELLED, -1L, "cancel",
                    "a running call of " + pool.threadNamePrefix + " was cancelled and its thread interrupted"));
        }
    }

    /** Fails the future (the pool's own fault, or the pool broke); no-op if it is done. */
    void fail(Throwable t) {
        trySetException(t);
    }

    /** Fails a running call with a timeout; false if it had ended (or was cancelled) first. */
    boolean timeOut(Throwable t) {
        return trySetException(t);
    }

    // ---------------------------------------------------------------- WorkQueue.Item

    @Override
    public WorkQueue.Item queueNext() {
        return next;
    }

    @Override
    public boolean casQueueNext(WorkQueue.Item expect, WorkQueue.Item update) {
        return NEXT.compareAndSet(this, expect, update);
    }

    @Override
    public void unlinkQueueNext() {
        NEXT.setRelease(this, this);
    }

    @Override
    public boolean claim() {
        return runner == null && RUNNER.compareAndSet(this, null, Thread.currentThread());
    }

    @Override
    public boolean claimed() {
        return runner != null;
    }

    // VarHandle set-up
    private static final VarHandle RUNNER;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNNER = l.findVarHandle(ThreadTask.class, "runner", Object.class);
            NEXT = l.findVarHandle(ThreadTask.class, "next", WorkQueue.Item.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
