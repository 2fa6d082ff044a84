package io.github.futures;

import io.github.futures.process.Frames;
import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a process pool stops a call that misbehaves and heals its workers: {@code cancel(true)} of a
 * running call, call timeouts, a worker's death under {@code REPLACE_WORKER}, and recycling (too
 * much heap, idle workers, {@code maxTasksPerChild}). Internal.
 *
 * <pre>
 *  cancel(true) ─┐                                                     ┌─▶ calls sent ahead, not started ─▶ queue front
 *  timeout ──────┼─▶ stopLocked: worker EXITING, replacement starts ─▶ kill ─▶ died() ┤
 *  (SIGQUIT dump)┘                                                     └─▶ the stopped call: CANCELLED / TimeoutError
 *  death (REPLACE_WORKER) ─▶ its running call fails (TerminatedWorkerError), the others go back, a new worker starts
 *  heap report over limit / maxTasksPerChild ─▶ RETIRING, replacement starts first ─▶ EXIT after its calls
 *  idle timer ─▶ EXIT (above minWorkers)
 * </pre>
 *
 * <p>Implementation note. Every method named {@code ...Locked} runs under the pool's lock and only
 * decides; killing a process, waiting for its thread dump and completing a future happen outside
 * it. A stopped worker gets a {@link PoolWorker#stopReason}: its death is expected (the pool does
 * not break) and, when its reader reports it, the calls still in flight on it go back to the front
 * of the queue in their order. They go back only then, not when the kill is decided: a call that
 * finished meanwhile keeps its result, and none runs twice because it was queued while the old
 * worker could still start it. Timers ({@link CallTimer}) are armed when a call becomes the first
 * of its worker (the one it runs), or when the worker's JVM is up if the call was sent to it while
 * it started, and cancelled when its outcome arrives; an idle timer when a
 * worker has nothing in flight. A timer that fires checks, under the lock, that what it was armed
 * for still holds.
 */
final class WorkerRecycler {

    /** How long the pool waits for a timed-out worker's thread dump before it kills it. */
    static final long DUMP_WAIT_MILLIS = 2_000L;

    private final ProcessPool pool;
    final RecoveryOptions options;
    private final CallTimer timer;

    WorkerRecycler(ProcessPool pool, RecoveryOptions options) {
        this.pool = pool;
        this.options = options;
        this.timer = new CallTimer(pool.name());
    }

    /**
     * Under lock: the first in-flight call of {@code w} changed (it is the one the worker runs), or
     * {@code w} has none. Arms the call's timeout, or the worker's idle timer; stops the worker if
     * its first call is one {@code cancel(true)} cancelled while it waited behind another.
     *
     * @return whether the caller must kill {@code w}'s process once the lock is released
     */
    boolean headLocked(PoolWorker w) {
        // An EXITING worker still runs its calls (shutdown); one whose end was asked otherwise (endNote) is left alone.
        if (w.stopReason != null || w.endNote != null || w.state == PoolWorker.DEAD) {
            return false;
        }
        if (w.inFlight.isEmpty()) {
            if (options.idleTimeoutNanos() > 0L && w.state == PoolWorker.READY && w.idleTimer == null) {
                w.idleTimer = timer.scheduleLocked(() -> idle(w), options.idleTimeoutNanos());
            }
            return false;
        }
        CallTimer.cancel(w.idleTimer);
        w.idleTimer = null;
        WorkItem head = w.inFlight.get(0);
        if (head.stopWanted) {
            w.inFlight.remove(0);
            stopLocked(w, "cancel");
            return true;
        }
        if (options.callTimeoutNanos() > 0L && head.timer == null && w.process.ready()) { // not while its JVM starts
            head.timer = timer.scheduleLocked(() -> timedOut(w, head), options.callTimeoutNanos());
        }
        return false;
    }

    /** Under lock: the call's outcome arrived or it left its worker; its timeout is disarmed. */
    static void endedLocked(WorkItem item) {
        CallTimer.cancel(item.timer);
        item.timer = null;
    }

    /**
     * {@code cancel(true)} cancelled a running call (its future is done): if its worker is running
     * it, the worker is ended and replaced; if it waits behind another call, the worker is asked to
     * give it back, and is ended should it start it anyway ({@link #headLocked}).
     */
    void stopRunning(WorkItem item) {
        PoolWorker kill = null;
        List<ProcessPool.Send> sends = new ArrayList<>(1);
        pool.lock.lock();
        try {
            item.stopWanted = true;
            endedLocked(item);
            for (PoolWorker w : pool.workers) {
                int i = w.inFlight.indexOf(item);
                if (i == 0 && w.stopReason == null && w.endNote == null && w.state != PoolWorker.DEAD) {
                    w.inFlight.remove(0);
                    stopLocked(w, "cancel");
                    kill = w;
                } else if (i > 0 && !item.revoking) {
                    item.revoking = true;
                    sends.add(new ProcessPool.Send(w, Frames.revoke(item.id), null));
                    pool.events.add(PoolEvent.Type.CALL_CANCELLED, w.process.pid, "cancel", "asked back before it started");
                }
                if (i >= 0) {
                    break;
                }
            }
        } finally {
            pool.unlock();
        }
        pool.send(sends);
        if (kill != null) {
            kill.process.destroy(true);
        }
    }

    /** The timer: a call ran past its call timeout. Fails it, logs the worker's thread dump, kills the worker. */
    private void timedOut(PoolWorker w, WorkItem item) {
        String limit = format(options.callTimeoutNanos());
        List<ProcessPool.Send> sends = new ArrayList<>(1);
        pool.lock.lock();
        try {
            item.timer = null;
            if (w.stopReason != null || w.endNote != null || w.state == PoolWorker.DEAD || w.inFlight.isEmpty()
                    || w.inFlight.get(0) != item || item.future.done()) {
                return; // it ended meanwhile
            }
            w.inFlight.remove(0);
            stopLocked(w, "timeout");
            pool.events.add(PoolEvent.Type.CALL_TIMED_OUT, w.process.pid, "timeout",
                    "call " + item.id + " (" + item.what + ") exceeded its call timeout of " + limit);
            // The calls sent ahead are asked back now, not when the worker dies: during the dump's wait the
            // worker would otherwise start the next one, and a call killed half-way would run again elsewhere.
            for (WorkItem ahead : w.inFlight) {
                if (!ahead.revoking) {
                    ahead.revoking = true;
                    sends.add(new ProcessPool.Send(w, Frames.revoke(ahead.id), null));
                }
            }
        } finally {
            pool.unlock();
        }
        pool.send(sends);
        item.future.fail(new TimeoutError("call exceeded its call timeout of " + limit + " (call " + item.id + ", "
                + item.what + ", in worker pid " + w.process.pid + ", which is replaced)"));
        // The dump takes a moment: on a thread of its own, so that other timers are not held up.
        Thread t = new Thread(() -> {
            w.process.threadDump(DUMP_WAIT_MILLIS);
            w.process.destroy(true);
        }, w.process.name + "-stop");
        t.setDaemon(true);
        t.start();
    }

    /**
     * What a call is, for messages: its class, or for a lambda the class that wrote it; never its
     * arguments or captured values. A call wrapped for its scope is named as it was submitted.
     */
    static String describe(Object call) {
        if (call instanceof ScopedCall.Run<?> run) {
            call = run.submitted;
        }
        String name = call.getClass().getName();
        int lambda = name.indexOf("$$Lambda");
        return lambda > 0 ? "a lambda in " + name.substring(0, lambda) : name;
    }

    /**
     * Under lock: {@code w} is to be killed by the pool (its running call was cancelled or timed
     * out). It takes no more calls, and a replacement starts now.
     */
    void stopLocked(PoolWorker w, String reason) {
        w.stopReason = reason;
        w.state = PoolWorker.EXITING;
        if (w.endNote == null) {
            w.endNote = "worker was stopped (" + reason + ")";
        }
        CallTimer.cancel(w.idleTimer);
        w.idleTimer = null;
        if ("cancel".equals(reason)) {
            pool.events.add(PoolEvent.Type.CALL_CANCELLED, w.process.pid, "cancel", null);
        }
        replaceLocked(w, reason, false);
    }

    /**
     * Under lock: starts a worker in place of {@code old} unless the pool is closing; with
     * {@code beforeRetiring}, even while {@code old} still counts (it takes no more calls, but
     * finishes those it has), so that recycling never stalls calls.
     */
    void replaceLocked(PoolWorker old, String reason, boolean beforeRetiring) {
        if (pool.isShutdown() || pool.broken != null) {
            return;
        }
        if (beforeRetiring || pool.activeCountLocked() < pool.maxWorkers) {
            pool.startWorkerLocked();
        }
        pool.events.add(PoolEvent.Type.WORKER_REPLACED, old.process.pid, reason, null);
    }

    /** Under lock: {@code w} takes no more calls and exits after those it has; its replacement starts now. */
    void retireLocked(PoolWorker w, String reason) {
        w.state = PoolWorker.RETIRING;
        replaceLocked(w, reason, true);
    }

    /**
     * Under lock, when {@code w}'s death was reported: the calls still in flight on it (none of
     * which it finished) go back to the front of the queue, in their order; cancelled ones are dropped.
     */
    void requeueLocked(PoolWorker w) {
        for (int i = w.inFlight.size() - 1; i >= 0; i--) {
            WorkItem item = w.inFlight.get(i);
            endedLocked(item);
            item.revoking = false;
            if (!item.future.done()) {
                pool.queue.addFirst(item);
            }
        }
        w.inFlight.clear();
    }

    /**
     * Under lock: whether the unexpected death of {@code w} costs only its running call: under
     * {@code REPLACE_WORKER}, for a worker that started and finished its initializer.
     */
    boolean replacesLocked(PoolWorker w) {
        return options.replaceDeadWorkers() && w.process.ready() && (pool.initFrame == null || w.initialized)
                && pool.broken == null;
    }

    /**
     * Under lock, under {@code REPLACE_WORKER}: {@code w} died. Takes out its running call (to fail
     * with the returned error), sends the others back to the queue, and starts a replacement.
     *
     * @return the running call and its error, or {@code null} if it ran none
     */
    Failed diedLocked(PoolWorker w, String exit) {
        WorkItem running = w.inFlight.isEmpty() ? null : w.inFlight.remove(0);
        requeueLocked(w);
        pool.events.add(PoolEvent.Type.WORKER_DIED, w.process.pid, "died", exit);
        replaceLocked(w, "died", false);
        if (running == null) {
            return null;
        }
        endedLocked(running);
        return new Failed(running, new TerminatedWorkerError("The worker process running call " + running.id + " ("
                + running.what + ") died: " + exit + ". The call failed; the other calls go on in a new worker."));
    }

    /** A call to fail, and with what. */
    record Failed(WorkItem item, TerminatedWorkerError error) {
    }

    /**
     * Under lock: a worker reported its used heap after a call. Over {@code maxWorkerMemory}, it
     * retires: a replacement starts, the calls sent ahead to it are asked back, and it exits after
     * those it already started.
     */
    void heapLocked(PoolWorker w, long used, List<ProcessPool.Send> sends) {
        long max = options.maxWorkerMemory();
        if (max <= 0L || used <= max || w.state != PoolWorker.READY) {
            return;
        }
        retireLocked(w, "memory");
        for (WorkItem item : w.inFlight) {
            if (!item.revoking) {
                item.revoking = true;
                sends.add(new ProcessPool.Send(w, Frames.revoke(item.id), null));
            }
        }
        if (w.inFlight.isEmpty()) {
            pool.exitLocked(w, sends);
        }
    }

    /** The idle timer: {@code w} had nothing to do for {@code idleTimeout}; it exits if the pool keeps more than minWorkers. */
    private void idle(PoolWorker w) {
        List<ProcessPool.Send> sends = new ArrayList<>(1);
        pool.lock.lock();
        try {
            w.idleTimer = null;
            if (w.state == PoolWorker.READY && w.inFlight.isEmpty() && !pool.isShutdown()
                    && pool.activeCountLocked() > options.minWorkers()) {
                pool.exitLocked(w, sends);
                pool.events.add(PoolEvent.Type.WORKER_RETIRED, w.process.pid, "idle",
                        "idle for " + format(options.idleTimeoutNanos()));
            }
        } finally {
            pool.unlock();
        }
        pool.send(sends);
    }

    /**
     * If the pool is broken, accepts calls again with fresh workers ({@code max(1, minWorkers)} start
     * now). The old workers (killed by the breakage, their calls failed) no longer count, whenever
     * their deaths are reported.
     *
     * @return whether it was broken
     * @throws IllegalStateException after shutdown
     */
    boolean rebuild() {
        pool.lock.lock();
        try {
            if (pool.isShutdown()) {
                throw new IllegalStateException("cannot rebuild a process pool after shutdown");
            }
            if (pool.broken == null) {
                return false;
            }
            rebuildLocked();
            pool.reopenLocked();
            for (int i = Math.max(1, options.minWorkers()); i > 0 && pool.activeCountLocked() < pool.maxWorkers; i--) {
                pool.startWorkerLocked();
            }
            return true;
        } finally {
            pool.unlock();
        }
    }

    private void rebuildLocked() {
        for (PoolWorker w : pool.workers) {
            if (w.state == PoolWorker.STARTING) {
                pool.starting--;
            }
            if (w.state < PoolWorker.EXITING) {
                w.state = PoolWorker.EXITING;
            }
            CallTimer.cancel(w.idleTimer);
            w.idleTimer = null;
        }
        pool.events.add(PoolEvent.Type.POOL_REBUILT, -1L, null, "was broken: " + pool.broken);
    }

    /**
     * A duration for messages, as it was most likely written: {@code 5s}, {@code 250ms}, {@code 1500us}.
     *
     * @param nanos the duration in nanoseconds
     * @return the text
     */
    static String format(long nanos) {
        return CallTimeouts.format(Duration.ofNanos(nanos)); // one way to print a duration in both pools
    }

    /**
     * Python 3.14's {@code terminate_workers} / {@code kill_workers}: shuts down (cancelling queued
     * calls) and ends every worker now; their running calls fail with {@link BrokenProcessPool}.
     *
     * @param kill {@code true}: SIGKILL-like; {@code false}: SIGTERM-like
     */
    void endWorkers(boolean kill) {
        List<PoolWorker> targets;
        String note = kill ? "worker was killed by killWorkers()" : "worker was terminated by terminateWorkers()";
        pool.lock.lock();
        try {
            for (PoolWorker w : pool.workers) {
                if (w.endNote == null) {
                    w.endNote = note;
                }
            }
            targets = new ArrayList<>(pool.workers);
        } finally {
            pool.unlock();
        }
        pool.shutdown(false, true);
        for (PoolWorker w : targets) {
            w.process.destroy(kill);
        }
    }
}
