package io.github.futures.spi;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one executor's calls, and the {@link TaskListener}s told about them.
 *
 * <p>Implementation note: every count is a {@link LongAdder}, so submitters and workers never
 * contend on one hot word; derived values (pending, running) are differences read without a lock
 * and clamped at zero. Listeners are a copy-on-write array read with one volatile load; with none
 * registered, no clock is read. All counting happens in {@link TrackedFuture}, at the one place
 * where a future changes state.
 */
public final class TaskStats {

    private static final TaskListener[] NONE = new TaskListener[0];

    final LongAdder submitted = new LongAdder();
    final LongAdder started = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder failedBeforeStart = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    /** Copy-on-write; written under 'this'. */
    volatile TaskListener[] listeners = NONE;

    /**
     * A new pending future that counts into these statistics. The executor must call
     * {@link #submitted()} once it accepted the call, or nothing if it rejects it.
     *
     * @param <T> the result type
     * @return the future
     */
    public <T> TrackedFuture<T> newFuture() {
        return new TrackedFuture<>(this);
    }

    /** Counts one accepted submission. */
    public void submitted() {
        submitted.increment();
    }

    /** Takes back a submission that was counted but then rejected. */
    public void unsubmitted() {
        submitted.decrement();
    }

    /**
     * Registers a listener.
     *
     * @param listener the listener
     */
    public synchronized void addListener(TaskListener listener) {
        Objects.requireNonNull(listener, "listener");
        TaskListener[] l = Arrays.copyOf(listeners, listeners.length + 1);
        l[l.length - 1] = listener;
        listeners = l;
    }

    /**
     * Removes a listener added before.
     *
     * @param listener the listener
     */
    public synchronized void removeListener(TaskListener listener) {
        TaskListener[] l = listeners;
        for (int i = 0; i < l.length; i++) {
            if (l[i] == listener) {
                TaskListener[] n = new TaskListener[l.length - 1];
                System.arraycopy(l, 0, n, 0, i);
                System.arraycopy(l, i + 1, n, i, l.length - i - 1);
                listeners = n;
                return;
            }
        }
    }

    /** @return submissions accepted */
    public long submittedCount() {
        return submitted.sum();
    }

    /** @return calls that started */
    public long startedCount() {
        return started.sum();
    }

    /** @return futures finished with a result */
    public long succeededCount() {
        return succeeded.sum();
    }

    /** @return futures finished with an exception */
    public long failedCount() {
        return failed.sum();
    }

    /** @return futures cancelled */
    public long cancelledCount() {
        return cancelled.sum();
    }

    /** @return calls that ran to an end (success or failure), as {@code java.util.concurrent.ThreadPoolExecutor} counts completed tasks */
    public long completedCount() {
        return succeeded.sum() + failed.sum() - failedBeforeStart.sum();
    }

    /** @return futures submitted and neither started, cancelled nor failed before starting; at least 0 */
    public long pendingCount() {
        long s = submitted.sum();
        return Math.max(0L, s - started.sum() - cancelled.sum() - failedBeforeStart.sum());
    }

    /** @return calls running now; at least 0 */
    public long runningCount() {
        long st = started.sum();
        return Math.max(0L, st - succeeded.sum() - (failed.sum() - failedBeforeStart.sum()));
    }
}
