package io.github.futures;

import io.github.futures.process.Wire;
import io.github.futures.process.WorkerProcess;
import io.github.futures.spi.PoolEvent;
import java.io.InvalidObjectException;
import java.io.StreamCorruptedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * The pool's side of one worker: its scheduling state and the {@link WorkerProcess.Listener} of its
 * process, which turns frames into completed futures and a death into failed ones.
 *
 * <pre>
 *  WorkerProcess reader ──frame()──▶ RESULT / EXCEPTION ──▶ (pool lock: take from inFlight, dispatch) ──▶ future
 *                                    REVOKED            ──▶ (pool lock: back to the queue front)
 *                                    INIT_FAILED        ──▶ pool breaks
 *                                    INIT_DONE, HEAP    ──▶ (pool lock: initialized; used heap, maybe retire)
 *                       ──frameFailed()──▶ the call the frame was for fails; the pool goes on
 *                       ──died()──▶ stopped by the pool: in-flight calls back to the queue;
 *                                   unexpected: in-flight calls fail and the pool breaks, or under
 *                                   REPLACE_WORKER only the running call fails ({@link WorkerRecycler})
 * </pre>
 *
 * <p>Implementation note. States: STARTING (process being spawned; not assignable) → READY (takes
 * work) → RETIRING (reached maxTasksPerChild or maxWorkerMemory; takes no more; its replacement has
 * started) → EXITING (EXIT sent, or killed by the pool with a {@link #stopReason}: exit expected) →
 * DEAD; any state → DEAD when the process ends. Every field but {@link #completing} is guarded by the
 * pool's lock; {@link #completing} is used by the reader thread only. A future is settled outside the
 * lock; one its owner completed or cancelled from outside is left alone. A dying worker stays in the
 * pool's list until it settled its calls (the pool's {@code settling} count), so that
 * {@code shutdown(wait=true)} does not return before.
 */
final class PoolWorker implements WorkerProcess.Listener {

    static final int STARTING = 0;
    static final int READY = 1;
    static final int RETIRING = 2;
    static final int EXITING = 3;
    static final int DEAD = 4;

    private final ProcessPool pool;
    final WorkerProcess process;
    final List<WorkItem> inFlight = new ArrayList<>(ProcessPool.DEEP_IN_FLIGHT);
    int state = STARTING;
    int assigned;
    long tasksDone;
    /** Set when an end of this worker is asked for (terminate, kill, a broken pool). */
    String endNote;
    /** Why the pool kills this worker (cancel, timeout): its death is expected and its other calls go back. */
    String stopReason;
    /** The used heap in bytes the worker last reported (HEAP), or -1 before its first report. */
    long usedHeap = -1L;
    /** Whether the worker reported its initializer done (INIT_DONE). */
    boolean initialized;
    /** Its idle timer, while it has nothing in flight and an idle timeout is set. */
    ScheduledFuture<?> idleTimer;
    /** The item whose outcome the reader thread is settling. Used by the reader thread only. */
    private WorkItem completing;

    PoolWorker(ProcessPool pool, String name) {
        this.pool = pool;
        this.process = new WorkerProcess(name, pool.config.name(), pool, pool.archive, pool.config.environment(), pool.initFrame,
                pool.config.maxMessageSize(), this);
    }

    WorkItem removeInFlight(long id) {
        for (int i = 0, n = inFlight.size(); i < n; i++) {
            if (inFlight.get(i).id == id) {
                return inFlight.remove(i);
            }
        }
        return null;
    }

    @Override
    public boolean started(WorkerProcess w) {
        pool.lock.lock();
        try {
            pool.events.add(PoolEvent.Type.WORKER_STARTED, w.pid, null, w.name);
            return endNote != null;
        } finally {
            pool.unlock();
        }
    }

    @Override
    public void hello(WorkerProcess w) {
        boolean kill;
        pool.lock.lock();
        try {
            kill = pool.recycler.headLocked(this); // its JVM is up: the first call's timeout starts now
        } finally {
            pool.unlock();
        }
        if (kill) {
            process.destroy(true);
        }
        pool.stats().publish(PoolEvent.now(PoolEvent.Type.WORKER_READY, w.pid, null,
                "started in " + Duration.between(w.startedAt, Instant.now()).toMillis() + " ms"));
    }

    @Override
    public void ready(WorkerProcess w) {
        List<ProcessPool.Send> sends = new ArrayList<>(ProcessPool.MAX_IN_FLIGHT);
        pool.lock.lock();
        try {
            if (state == STARTING) {
                state = READY;
                pool.starting--;
                pool.dispatchLocked(sends);
                pool.recycler.headLocked(this); // idle: its idle timer
            }
        } finally {
            pool.unlock();
        }
        pool.send(sends);
        pool.archive.started();
    }

    @Override
    public void frame(WorkerProcess w, Wire.Incoming f) throws Exception {
        switch (f.type) {
            case Wire.RESULT, Wire.EXCEPTION -> outcome(f);
            case Wire.REVOKED -> revoked(f.id);
            case Wire.HEAP -> heap(f.id);
            case Wire.INIT_DONE -> {
                pool.lock.lock();
                try {
                    initialized = true;
                } finally {
                    pool.unlock();
                }
            }
            case Wire.INIT_FAILED -> {
                Throwable cause = pool.frames.decodeException(f.payload, w.pid);
                pool.breakPool("A process initializer failed in worker pid " + w.pid
                        + ", the process pool is not usable anymore (" + Throwables.describe(cause) + ")", cause);
            }
            default -> throw new StreamCorruptedException("unknown frame type " + f.type + " from worker pid "
                    + w.pid + " (a worker of another version of this library?)");
        }
    }

    private void outcome(Wire.Incoming f) throws Exception {
        WorkItem item;
        boolean kill;
        List<ProcessPool.Send> sends = new ArrayList<>(ProcessPool.MAX_IN_FLIGHT);
        pool.lock.lock();
        try {
            item = removeInFlight(f.id);
            if (item != null) {
                WorkerRecycler.endedLocked(item);
                tasksDone++;
                if (state == RETIRING && inFlight.isEmpty()) {
                    pool.exitLocked(this, sends);
                }
            }
            kill = pool.recycler.headLocked(this); // before dispatch: a worker to stop takes no more
            pool.dispatchLocked(sends);
            completing = item;
        } finally {
            pool.unlock();
        }
        pool.send(sends);
        if (kill) {
            process.destroy(true); // it may be running a call cancel(true) cancelled while it waited
        }
        if (item == null) {
            return; // not a call of this worker's (given back, or failed already)
        }
        byte[] payload = f.payload;
        f.payload = null;
        if (item.future.done()) {
            completing = null; // its owner completed or cancelled it from outside: the outcome is dropped
            return;
        }
        if (f.type == Wire.RESULT) {
            item.future.setResult(pool.frames.decodeResult(payload));
        } else {
            item.future.setException(pool.frames.decodeException(payload, process.pid));
        }
        completing = null;
    }

    private void revoked(long id) {
        List<ProcessPool.Send> sends = new ArrayList<>(2);
        pool.lock.lock();
        try {
            WorkItem item = null;
            for (WorkItem i : inFlight) {
                if (i.id == id && i.revoking) {
                    item = i; // only a call the pool asked back
                }
            }
            if (item != null) {
                inFlight.remove(item);
                item.revoking = false;
                assigned--;
                // A timer armed when it became this worker's first call measured it here: its next
                // worker arms a fresh one when it is first there (headLocked arms only a null timer).
                WorkerRecycler.endedLocked(item);
                if (!item.future.done()) { // a call cancel(true) cancelled is dropped
                    pool.queue.addFirst(item);
                }
                if (state == RETIRING && inFlight.isEmpty()) {
                    pool.exitLocked(this, sends); // its replacement started when it began retiring
                }
                pool.recycler.headLocked(this);
            }
            pool.dispatchLocked(sends);
        } finally {
            pool.unlock();
        }
        pool.send(sends);
    }

    private void heap(long used) {
        List<ProcessPool.Send> sends = new ArrayList<>(ProcessPool.DEEP_IN_FLIGHT + 1);
        pool.lock.lock();
        try {
            usedHeap = used;
            pool.recycler.heapLocked(this, used, sends);
        } finally {
            pool.unlock();
        }
        pool.send(sends);
    }

    /**
     * A frame read whole could not be handled. If it was the outcome of a call, that call fails
     * with the reason (a future its owner completed meanwhile is left alone) and the pool goes
     * on; a problem with any other frame (the pool's own bookkeeping) breaks the pool.
     */
    @Override
    public boolean frameFailed(WorkerProcess w, Wire.Incoming f, Throwable t) {
        WorkItem item = completing;
        completing = null;
        if (item != null) {
            if (!item.future.done()) {
                InvalidObjectException x = new InvalidObjectException((f.type == Wire.RESULT ? "The result" : "The exception")
                        + " of call " + item.id + " from worker pid " + w.pid + " could not be read in this JVM: "
                        + Throwables.describe(t));
                x.initCause(t);
                ProcessPool.settle(item, x);
            }
            return true;
        }
        if (f.type == Wire.RESULT || f.type == Wire.EXCEPTION || f.type == Wire.REVOKED) {
            pool.breakPool("The process pool could not handle a frame from worker pid " + w.pid + " ("
                    + Throwables.describe(t) + "); the process pool is not usable anymore.", t);
            return true;
        }
        return false;
    }

    @Override
    public void died(WorkerProcess w, String trouble, String exit, String early) {
        List<WorkItem> failed = new ArrayList<>();
        List<PoolWorker> kill = List.of();
        List<ProcessPool.Send> sends = new ArrayList<>();
        BrokenProcessPool failure;
        WorkerRecycler.Failed lost = null;
        pool.lock.lock();
        try {
            int was = state;
            state = DEAD;
            if (was == STARTING) {
                pool.starting--;
            }
            CallTimer.cancel(idleTimer);
            idleTimer = null;
            String b = pool.broken;
            if (b != null) {
                failure = new BrokenProcessPool(b);
            } else if (stopReason != null) {
                failure = null; // the pool stopped it: what it had not finished goes back to the queue
                pool.recycler.requeueLocked(this);
                pool.dispatchLocked(sends);
            } else if (endNote != null || (was == EXITING && inFlight.isEmpty() && trouble == null)) {
                failure = new BrokenProcessPool((endNote != null ? endNote : "worker exited") + " (" + exit + ")");
                pool.dispatchLocked(sends);
            } else if (pool.recycler.replacesLocked(this)) {
                failure = null;
                lost = pool.recycler.diedLocked(this, trouble != null ? trouble + " (" + exit + ")" : exit);
                pool.dispatchLocked(sends);
            } else {
                StringBuilder reason = new StringBuilder();
                if (trouble != null) {
                    reason.append("A worker process failed: ").append(trouble).append(" (").append(exit).append(')');
                } else if (!w.ready()) {
                    reason.append("A worker process could not start: ").append(exit);
                } else if (was == EXITING && exit.endsWith(" exited with code 0")) {
                    reason.append("A worker process ended (").append(exit).append(") before the results of ")
                            .append(inFlight.size()).append(" calls arrived; did something in it write to the"
                                    + " protocol stream (FileDescriptor.out)?");
                } else {
                    reason.append("A process in the process pool was terminated abruptly while the future was"
                            + " running or pending: ").append(exit);
                }
                if (!early.isEmpty()) {
                    reason.append("; its standard error: ").append(early);
                }
                reason.append(". The process pool is not usable anymore.");
                kill = new ArrayList<>();
                failure = new BrokenProcessPool(pool.breakLocked(reason.toString(), failed, kill));
            }
            for (WorkItem i : inFlight) {
                WorkerRecycler.endedLocked(i);
            }
            failed.addAll(inFlight);
            inFlight.clear();
            pool.settling++; // this worker leaves the list only after its calls are settled
        } finally {
            pool.unlock();
        }
        pool.send(sends);
        if (lost != null) {
            lost.item().future.fail(lost.error());
        }
        if (failure != null) {
            ProcessPool.fail(failed, failure);
        }
        for (PoolWorker k : kill) {
            k.process.destroy(true);
        }
        pool.lock.lock();
        try {
            pool.workers.remove(this);
            pool.settling--;
            pool.signalIfTerminatedLocked();
        } finally {
            pool.unlock();
        }
    }
}
