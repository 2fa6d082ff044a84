package io.github.futures.spi;

import io.github.futures.Future;
import java.time.Duration;

/**
 * A future that counts its own life into a {@link TaskStats}: started when
 * {@link #setRunningOrNotifyCancel()} says so, and its outcome once, in {@link #onCompletion()}.
 *
 * @param <T> the result type
 */
public class TrackedFuture<T> extends Future<T> {

    /*
     * 'started', 'submitNanos' and 'startNanos' are plain fields: 'submitNanos' is written before the
     * future is handed to a worker (published by the queue), the other two before the CAS to RUNNING
     * that publishes them to whichever thread completes the future. 'listeners' is read from the
     * TaskStats once, by the submitting thread, so that workers never touch the TaskStats' own
     * cache line for it.
     */
    /**
     * The logger, looked up when first needed: {@code System.getLogger} looks for a logging back-end
     * (a service look-up over the class path) and would cost a cold JVM milliseconds where no message is ever logged.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(TrackedFuture.class.getName());
    }

    private final TaskStats stats;
    private final TaskListener[] listeners;
    private final long submitNanos;
    private boolean started;
    private long startNanos;

    /**
     * A pending future counting into {@code stats}; executors that carry their call in the future
     * itself (one object per call instead of two) subclass it.
     *
     * @param stats the executor's statistics
     */
    protected TrackedFuture(TaskStats stats) {
        this.stats = stats;
        this.listeners = stats.listeners;
        this.submitNanos = listeners.length == 0 ? 0L : System.nanoTime();
    }

    @Override
    public boolean setRunningOrNotifyCancel() {
        TaskListener[] l = listeners;
        long now = l.length == 0 ? 0L : System.nanoTime();
        started = true;
        startNanos = now;
        if (!super.setRunningOrNotifyCancel()) {
            started = false;
            return false;
        }
        stats.started.increment();
        if (l.length != 0 && submitNanos != 0L) {
            long wait = now - submitNanos;
            for (TaskListener listener : l) {
                try {
                    listener.taskStarted(wait);
                } catch (Throwable t) { // the call must still run and its future still end
                    Log.LOG.log(System.Logger.Level.ERROR, "task listener " + listener + " failed", t);
                }
            }
        }
        return true;
    }

    @Override
    protected void onCompletion() {
        TaskListener.Outcome outcome;
        if (cancelled()) {
            stats.cancelled.increment();
            outcome = TaskListener.Outcome.CANCELLED;
        } else if (exception(Duration.ZERO) != null) {
            stats.failed.increment();
            if (!started) {
                stats.failedBeforeStart.increment();
            }
            outcome = TaskListener.Outcome.FAILURE;
        } else {
            stats.succeeded.increment();
            outcome = TaskListener.Outcome.SUCCESS;
        }
        TaskListener[] l = listeners;
        if (l.length != 0) {
            long exec = started && startNanos != 0L ? System.nanoTime() - startNanos : 0L;
            for (TaskListener listener : l) {
                try {
                    listener.taskFinished(exec, outcome);
                } catch (Throwable t) {
                    Log.LOG.log(System.Logger.Level.ERROR, "task listener " + listener + " failed", t);
                }
            }
        }
    }
}
