package io.github.futures.spi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one executor's calls, and the {@link TaskListener}s told about them.
 *
 * <p>Implementation note: every count is a {@link LongAdder}, so submitters and workers never
 * contend on one hot word; derived values (pending, running) are differences read without a lock
 * and clamped at zero. Listeners are a copy-on-write array read with one volatile load; with none
 * registered, no clock is read. All counting happens in {@link io.github.futures.TrackedFuture}, at
 * the one place where a future changes state.
 */
public final class TaskStats {

    private static final PoolEventListener[] NO_EVENT_LISTENERS = new PoolEventListener[0];
    private static final int LAST_REPLACEMENTS = 16;
    /**
     * The logger, looked up when first needed: {@code System.getLogger} looks for a logging back-end
     * (a service look-up over the class path) and would cost a cold JVM milliseconds where no message is ever logged.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(TaskStats.class.getName());
    }

    private final LongAdder submitted = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder failedBeforeStart = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    /** Cancelled with cancel(true) while running: counted in 'started' and in 'cancelled'. */
    private final LongAdder cancelledRunning = new LongAdder();
    /** Copy-on-write (immutable lists); written under 'this'. */
    private volatile List<TaskListener> listeners = List.of();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> replaced = new ConcurrentHashMap<>();
    /** Guarded by itself. */
    private final ArrayDeque<PoolEvent> lastReplacements = new ArrayDeque<>();
    /** Copy-on-write; written under 'this'. */
    private volatile PoolEventListener[] eventListeners = NO_EVENT_LISTENERS;

    /** Counts one accepted submission. */
    public void submitted() {
        submitted.increment();
    }

    /** Takes back a submission that was counted but then rejected. */
    public void unsubmitted() {
        submitted.decrement();
    }

    /** Counts a call that started (its future became running). */
    public void started() {
        started.increment();
    }

    /** Counts a future finished with a result. */
    public void succeeded() {
        succeeded.increment();
    }

    /**
     * Counts a future finished with an exception.
     *
     * @param afterStart whether its call had started (a call failed before it started is not a completed task)
     */
    public void failed(boolean afterStart) {
        failed.increment();
        if (!afterStart) {
            failedBeforeStart.increment();
        }
    }

    /**
     * Counts a future cancelled.
     *
     * @param whileRunning whether {@code cancel(true)} stopped it while its call ran (it was counted
     *     as started, and is now neither running nor pending)
     */
    public void cancelled(boolean whileRunning) {
        cancelled.increment();
        if (whileRunning) {
            cancelledRunning.increment();
        }
    }

    /**
     * The listeners registered now, read with one volatile load; a future reads them once, when it
     * is created, so that the threads completing it never touch these statistics for them.
     *
     * @return an immutable list
     */
    public List<TaskListener> listeners() {
        return listeners;
    }

    /**
     * Registers a listener.
     *
     * @param listener the listener
     */
    public synchronized void addListener(TaskListener listener) {
        Objects.requireNonNull(listener, "listener");
        List<TaskListener> l = new ArrayList<>(listeners);
        l.add(listener);
        listeners = List.copyOf(l);
    }

    /**
     * Removes a listener added before.
     *
     * @param listener the listener
     */
    public synchronized void removeListener(TaskListener listener) {
        List<TaskListener> l = listeners;
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i) == listener) {
                List<TaskListener> n = new ArrayList<>(l);
                n.remove(i);
                listeners = List.copyOf(n);
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
        return Math.max(0L, s - started.sum() - (cancelled.sum() - cancelledRunning.sum()) - failedBeforeStart.sum());
    }

    /** @return calls running now; at least 0 */
    public long runningCount() {
        long st = started.sum();
        return Math.max(0L, st - succeeded.sum() - (failed.sum() - failedBeforeStart.sum()) - cancelledRunning.sum());
    }

    /**
     * Publishes a pool event: counts it (rejections, timed-out calls, replacements by reason), keeps
     * the last replacements, and tells every {@link PoolEventListener}. Never throws.
     *
     * @param event the event
     */
    public void publish(PoolEvent event) {
        switch (event.type()) {
            case CALL_REJECTED -> rejected.increment();
            case CALL_TIMED_OUT -> timedOut.increment();
            case WORKER_REPLACED -> {
                replaced.computeIfAbsent(String.valueOf(event.reason()), r -> new LongAdder()).increment();
                synchronized (lastReplacements) {
                    if (lastReplacements.size() == LAST_REPLACEMENTS) {
                        lastReplacements.pollFirst();
                    }
                    lastReplacements.addLast(event);
                }
            }
            default -> { }
        }
        for (PoolEventListener l : eventListeners) {
            try {
                l.onEvent(event);
            } catch (Throwable t) { // a listener never changes what the pool does
                logFailure(l, t);
            }
        }
    }

    /**
     * Logs a listener's failure; never throws. The listener's {@code toString()} and the exception's
     * description are user code too, and the logger lets errors through (a message that describes itself
     * overflows the stack): a publish that threw would reach the pool's thread, which took it for a fault of
     * its own (a worker thread that had started was taken for one that could not start, and the pool broke).
     */
    private static void logFailure(PoolEventListener l, Throwable t) {
        String name;
        try {
            name = String.valueOf(l);
        } catch (Throwable unprintable) {
            name = l.getClass().getName();
        }
        try {
            Log.LOG.log(System.Logger.Level.ERROR, "pool event listener " + name + " failed", t);
        } catch (Throwable unprintable) {
            try {
                Log.LOG.log(System.Logger.Level.ERROR, "pool event listener " + name + " failed: "
                        + t.getClass().getName() + " (it could not be printed: "
                        + unprintable.getClass().getName() + ")");
            } catch (Throwable ignored) {
                // nothing more can be said about it
            }
        }
    }

    /**
     * Registers a listener for {@linkplain #publish(PoolEvent) pool events}.
     *
     * @param listener the listener
     */
    public synchronized void addEventListener(PoolEventListener listener) {
        Objects.requireNonNull(listener, "listener");
        PoolEventListener[] l = Arrays.copyOf(eventListeners, eventListeners.length + 1);
        l[l.length - 1] = listener;
        eventListeners = l;
    }

    /**
     * Removes a listener added with {@link #addEventListener(PoolEventListener)}; does nothing if absent.
     *
     * @param listener the listener
     */
    public synchronized void removeEventListener(PoolEventListener listener) {
        List<PoolEventListener> l = new ArrayList<>(Arrays.asList(eventListeners));
        if (l.remove(listener)) {
            eventListeners = l.toArray(NO_EVENT_LISTENERS);
        }
    }

    /**
     * Submissions refused because a pending limit was reached.
     *
     * @return the count
     */
    public long rejectedCount() {
        return rejected.sum();
    }

    /**
     * Calls stopped because they ran past their call timeout.
     *
     * @return the count
     */
    public long timedOutCount() {
        return timedOut.sum();
    }

    /**
     * Workers replaced, by reason ({@code died}, {@code memory}, {@code max-tasks}, {@code timeout},
     * {@code cancel}, {@code idle}).
     *
     * @return a sorted copy
     */
    public Map<String, Long> replacedCounts() {
        Map<String, Long> m = new TreeMap<>();
        replaced.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /**
     * The last worker replacements, oldest first (at most 16).
     *
     * @return a copy
     */
    public List<PoolEvent> lastReplacements() {
        synchronized (lastReplacements) {
            return List.copyOf(lastReplacements);
        }
    }
}
