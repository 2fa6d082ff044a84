package io.github.futures;

import io.github.futures.spi.TaskListener;
import io.github.futures.spi.TaskStats;
import java.util.List;

/**
 * A future that counts its own life into a {@link TaskStats}: started when
 * {@link #setRunningOrNotifyCancel()} says so, and its outcome once, when it completes.
 * For executor implementations: an executor creates one per call with {@link #newFuture(TaskStats)}
 * (or subclasses it to carry the call in the future itself), counts it with
 * {@link TaskStats#submitted()} once accepted, and completes it.
 *
 * @param <T> the result type
 */
public class TrackedFuture<T> extends Future<T> {

    /*
     * Three fields, so that a pending future stays small (a thread pool's whole queued call is 56
     * bytes with compressed oops). Whether the call started is not a field: Future tells
     * onCompletion(ran) whether the future left RUNNING. 'timing' exists only when the TaskStats had
     * listeners at submit: the listeners (read from the TaskStats once, by the submitting thread, so
     * that workers never touch the TaskStats' own cache line for them), 'submitNanos' (final) and
     * 'startNanos', a plain field written before the CAS to RUNNING that publishes it to whichever
     * thread completes the future. 'pendingSlot' is set before the future is queued and taken with
     * getAndSet, so the slot is returned exactly once: at the start, or at completion if it never
     * started.
     */
    /**
     * The logger, looked up when first needed: {@code System.getLogger} looks for a logging back-end
     * (a service look-up over the class path) and would cost a cold JVM milliseconds where no message is ever logged.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(TrackedFuture.class.getName());
    }

    private final TaskStats stats;
    /** The listeners and the times they are told, or null if there were no listeners at submit. */
    private final Timing timing;
    /** The pending slot this future holds, or null; taken (set to null) once, by whoever returns it. */
    private volatile PendingLimit pendingSlot;

    /**
     * A pending future counting into {@code stats}; executors that carry their call in the future
     * itself (one object per call instead of two) subclass it.
     *
     * @param stats the executor's statistics
     */
    protected TrackedFuture(TaskStats stats) {
        this.stats = stats;
        List<TaskListener> listeners = stats.listeners();
        this.timing = listeners.isEmpty() ? null : new Timing(listeners, System.nanoTime());
    }

    /** What only a future with listeners needs, allocated only then. */
    private static final class Timing {
        final List<TaskListener> listeners;
        final long submitNanos;
        /** Written before the CAS to RUNNING, which publishes it. */
        long startNanos;

        Timing(List<TaskListener> listeners, long submitNanos) {
            this.listeners = listeners;
            this.submitNanos = submitNanos;
        }
    }

    /**
     * A new pending future that counts into {@code stats}. The executor must call
     * {@link TaskStats#submitted()} once it accepted the call, or nothing if it rejects it.
     *
     * @param stats the executor's statistics
     * @param <T> the result type
     * @return the future
     */
    public static <T> TrackedFuture<T> newFuture(TaskStats stats) {
        return new TrackedFuture<>(stats);
    }

    @Override
    public boolean setRunningOrNotifyCancel() {
        Timing tm = timing;
        if (tm != null) {
            tm.startNanos = System.nanoTime();
        }
        if (!super.setRunningOrNotifyCancel()) {
            return false;
        }
        releasePendingSlot(); // no longer pending
        stats.started();
        if (tm != null) {
            List<TaskListener> l = tm.listeners;
            long wait = tm.startNanos - tm.submitNanos;
            for (int i = 0, n = l.size(); i < n; i++) {
                TaskListener listener = l.get(i);
                try {
                    listener.taskStarted(wait);
                } catch (Throwable t) { // the call must still run and its future still end
                    Throwables.logFailure(Log.LOG, "task listener " + Throwables.describe(listener) + " failed",
                            t);
                }
            }
        }
        return true;
    }

    /**
     * Makes this future hold a slot of {@code limit}, taken by the caller; the slot is returned once,
     * when the future leaves PENDING (see {@link PendingLimit}) or by {@link #releasePendingSlot()}.
     *
     * @param limit the limit a slot was taken from
     */
    final void holdPendingSlot(PendingLimit limit) {
        pendingSlot = limit;
    }

    /**
     * Returns the pending slot this future holds, if it still holds one: for a submit refused after
     * it took a slot. Idempotent.
     */
    public final void releasePendingSlot() {
        if (pendingSlot != null) {
            PendingLimit l = (PendingLimit) PENDING_SLOT.getAndSet(this, null);
            if (l != null) {
                l.release();
            }
        }
    }

    @Override
    final void onCompletion(boolean started) {
        releasePendingSlot(); // done before it started (cancelled, failed): its slot comes back
        TaskListener.Outcome outcome;
        if (cancelled()) {
            stats.cancelled(started); // started: cancel(true) stopped it while it ran
            outcome = TaskListener.Outcome.CANCELLED;
        } else if (finishedWithException()) {
            stats.failed(started);
            outcome = TaskListener.Outcome.FAILURE;
        } else {
            stats.succeeded();
            outcome = TaskListener.Outcome.SUCCESS;
        }
        Timing tm = timing;
        if (tm != null) {
            List<TaskListener> l = tm.listeners;
            long exec = started ? System.nanoTime() - tm.startNanos : 0L;
            for (int i = 0, n = l.size(); i < n; i++) {
                TaskListener listener = l.get(i);
                try {
                    listener.taskFinished(exec, outcome);
                } catch (Throwable t) { // the waiters and done callbacks must still be told
                    Throwables.logFailure(Log.LOG, "task listener " + Throwables.describe(listener) + " failed",
                            t);
                }
            }
        }
        onCompletion(); // a subclass's own hook
    }

    // VarHandle set-up
    private static final java.lang.invoke.VarHandle PENDING_SLOT;

    static {
        try {
            PENDING_SLOT = java.lang.invoke.MethodHandles.lookup().findVarHandle(TrackedFuture.class, "pendingSlot",
                    PendingLimit.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
