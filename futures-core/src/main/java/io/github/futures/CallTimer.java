package io.github.futures;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One pool's timer for call timeouts and idle workers: a single daemon thread that exists only while
 * something is scheduled (it ends after a few idle seconds and is started again by the next
 * schedule). Nothing polls: a call's timeout is scheduled when the call starts and cancelled when it
 * ends; cancelled tasks leave the timer's queue at once.
 *
 * <p>Implementation note. The executor is created on first use, under the pool's lock (every
 * caller holds it), so {@link #executor} needs no other guard.
 */
final class CallTimer {

    private final String name;
    /** Created on first use. Guarded by the pool's lock. */
    private ScheduledThreadPoolExecutor executor;

    CallTimer(String name) {
        this.name = name;
    }

    /** Under the pool lock: runs {@code task} after {@code nanos}. */
    ScheduledFuture<?> scheduleLocked(Runnable task, long nanos) {
        ScheduledThreadPoolExecutor e = executor;
        if (e == null) {
            e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, name + "-timer");
                t.setDaemon(true);
                return t;
            });
            e.setRemoveOnCancelPolicy(true);
            e.setKeepAliveTime(5L, TimeUnit.SECONDS);
            e.allowCoreThreadTimeOut(true);
            executor = e;
        }
        return e.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    /** Cancels a scheduled task; {@code null} is ignored. */
    static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }
}
