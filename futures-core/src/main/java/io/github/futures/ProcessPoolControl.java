package io.github.futures;

import io.github.futures.process.Frames;
import io.github.futures.process.WorkerProcess;
import io.github.futures.spi.PoolEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * What an operator can do to a running process pool: cancel its pending calls, replace or dump one
 * worker, change {@code maxWorkers}. Internal: {@link ProcessPoolExecutor} exposes it through
 * {@link io.github.futures.spi.PoolControl}, {@link io.github.futures.spi.WorkerControl} and
 * {@link io.github.futures.spi.Resizable}.
 *
 * <pre>
 *  cancelPending ─▶ (lock: submitted calls into the queue; take the unstarted ones out) ─▶ cancel each, outside
 *  replaceWorker ─▶ (lock: its running call out, stopLocked as cancel(true)) ─▶ kill ─▶ died(): the rest back to the queue
 *  setMaxWorkers ─▶ grow: calls sent ahead asked back, dispatch starts workers for what waits; shrink: idle ones EXIT, starting ones are
 *                   killed, busy ones RETIRING (calls sent ahead asked back) and EXIT after their call
 *  threadDump    ─▶ (lock: find the worker) ─▶ SIGQUIT, the dump read from its standard error, outside
 * </pre>
 *
 * <p>Implementation note. Each operation decides under the pool's lock and only there, with the
 * pool's own steps ({@link ProcessPool#dispatchLocked}, {@link WorkerRecycler#stopLocked},
 * {@link ProcessPool#exitLocked}); futures are completed, frames written and processes signalled
 * after the lock is released. Futures cancelled in bulk count in the pool's {@code settling}, so
 * that a shutdown waiting meanwhile does not return before they are done. A worker stopped here has
 * a {@link PoolWorker#stopReason}: its death is expected and does not break the pool.
 */
final class ProcessPoolControl {

    private final ProcessPool pool;

    ProcessPoolControl(ProcessPool pool) {
        this.pool = pool;
    }

    /** @return how many pending futures this cancelled; see {@link io.github.futures.spi.PoolControl#cancelPending()} */
    int cancelPending() {
        List<WorkItem> cancel = new ArrayList<>();
        List<ProcessPool.Send> sends = new ArrayList<>();
        pool.lock.lock();
        try {
            pool.dispatchLocked(sends); // every call whose submit returned is in the queue now (or sent to an idle worker)
            pool.queue.removeIf(item -> !item.started && cancel.add(item)); // started ones were sent back: running
            pool.settling++;
        } finally {
            pool.unlock();
        }
        pool.send(sends);
        int n = 0;
        int[] here = pool.settlingHere();
        try {
            for (WorkItem item : cancel) {
                if (!item.future.cancelled() && item.future.cancel()) { // cancel() is also true for one cancelled before
                    n++;
                }
            }
        } finally {
            pool.settledHere(here);
        }
        return n;
    }

    /** See {@link io.github.futures.spi.WorkerControl#replaceWorker(long)}. */
    String replaceWorker(long pid) {
        PoolWorker w;
        WorkItem running;
        pool.lock.lock();
        try {
            w = findLocked(pid);
            if (pool.isShutdown() || pool.broken != null) {
                throw new IllegalStateException("Worker pid " + pid + " of " + pool.name() + " is not replaced: the pool is "
                        + pool.state() + " (no worker would start in its place).");
            }
            if (w.state == PoolWorker.STARTING) {
                throw new IllegalStateException("Worker pid " + pid + " of " + pool.name()
                        + " is still starting; replace it once it is up.");
            }
            if (w.state >= PoolWorker.EXITING || w.stopReason != null || w.endNote != null) {
                throw new IllegalStateException("Worker pid " + pid + " of " + pool.name() + " is already leaving ("
                        + (w.endNote != null ? w.endNote : "exiting") + ").");
            }
            running = w.inFlight.isEmpty() ? null : w.inFlight.remove(0);
            if (running != null) {
                WorkerRecycler.endedLocked(running);
            }
            pool.recycler.stopLocked(w, "request"); // a replacement starts; calls sent ahead go back when it dies
        } finally {
            pool.unlock();
        }
        w.process.destroy(true);
        if (running == null) {
            return "Worker pid " + pid + " was idle; it was killed and a new worker started in its place.";
        }
        running.future.fail(new TerminatedWorkerError("The worker process running call " + running.id + " ("
                + running.what + ") was replaced on request (worker pid " + pid + " killed). The call failed; the"
                + " other calls go on in a new worker."));
        return "Worker pid " + pid + " was killed and a new worker started in its place; the call it was running ("
                + running.id + ", " + running.what + ") failed with TerminatedWorkerError.";
    }

    /** See {@link io.github.futures.spi.WorkerControl#threadDump(long)}. */
    String threadDump(long pid) {
        WorkerProcess p;
        pool.lock.lock();
        try {
            p = findLocked(pid).process;
        } finally {
            pool.unlock();
        }
        String text = p.threadDumpText(WorkerRecycler.DUMP_WAIT_MILLIS);
        if (text == null) {
            throw new IllegalStateException("Worker pid " + pid + " of " + pool.name() + " printed no thread dump within "
                    + WorkerRecycler.DUMP_WAIT_MILLIS + " ms: it has ended, or this platform cannot signal it"
                    + " (a thread dump needs Unix's kill -QUIT).");
        }
        return text;
    }

    /** See {@link io.github.futures.spi.PoolControl#threadDump()}: every live worker's dump, one after the other. */
    String threadDump() {
        List<Long> pids = new ArrayList<>();
        pool.lock.lock();
        try {
            for (PoolWorker w : pool.workers) {
                if (w.state != PoolWorker.STARTING && w.process.pid > 0L) {
                    pids.add(w.process.pid);
                }
            }
        } finally {
            pool.unlock();
        }
        if (pids.isEmpty()) {
            return pool.name() + " has no live worker process." + System.lineSeparator();
        }
        StringBuilder all = new StringBuilder();
        for (long pid : pids) {
            all.append("=== worker pid ").append(pid).append(" ===").append(System.lineSeparator());
            try {
                all.append(threadDump(pid));
            } catch (RuntimeException gone) { // ended meanwhile
                all.append(gone.getMessage()).append(System.lineSeparator());
            }
        }
        return all.toString();
    }

    /** See {@link io.github.futures.spi.Resizable#setMaxWorkers(int)}. */
    void setMaxWorkers(int maxWorkers) {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, got " + maxWorkers);
        }
        int min = pool.recycler.options.minWorkers();
        if (maxWorkers < min) {
            throw new IllegalArgumentException("maxWorkers (" + maxWorkers + ") must not be below minWorkers (" + min
                    + ") of " + pool.name() + "; use at least " + min);
        }
        List<ProcessPool.Send> sends = new ArrayList<>();
        List<PoolWorker> kill = new ArrayList<>();
        pool.lock.lock();
        try {
            if (pool.isShutdown()) {
                throw new IllegalStateException("cannot change maxWorkers of " + pool.name() + " after shutdown");
            }
            int old = pool.maxWorkers;
            pool.maxWorkers = maxWorkers;
            if (maxWorkers > old) {
                askBackSentAheadLocked(sends); // they wait behind a busy worker's call: new workers may take them
                pool.dispatchLocked(sends); // workers start for the calls that wait, as at a submit
            } else if (maxWorkers < old) {
                shrinkLocked(maxWorkers, sends, kill);
            }
        } finally {
            pool.unlock();
        }
        pool.send(sends);
        for (PoolWorker k : kill) {
            k.process.destroy(true);
        }
    }

    /**
     * Under lock: takes workers out until at most {@code max} are alive or starting, besides the
     * busy ones that leave after their call: idle ones first (EXIT), then starting ones (killed,
     * nothing was sent to them), then busy ones (RETIRING: no more calls; what was sent ahead is
     * asked back; EXIT after the call they run, as for maxTasksPerChild).
     */
    private void shrinkLocked(int max, List<ProcessPool.Send> sends, List<PoolWorker> kill) {
        int excess = pool.activeCountLocked() - max;
        for (PoolWorker w : pool.workers) {
            if (excess > 0 && w.state == PoolWorker.READY && w.inFlight.isEmpty()) {
                CallTimer.cancel(w.idleTimer);
                w.idleTimer = null;
                pool.exitLocked(w, sends);
                retiredLocked(w, "idle");
                excess--;
            }
        }
        for (PoolWorker w : pool.workers) {
            if (excess > 0 && w.state == PoolWorker.STARTING) {
                pool.starting--;
                w.state = PoolWorker.EXITING;
                w.stopReason = "resize";
                w.endNote = "worker was retired because maxWorkers shrank";
                kill.add(w);
                retiredLocked(w, "starting");
                excess--;
            }
        }
        for (PoolWorker w : pool.workers) {
            if (excess > 0 && w.state == PoolWorker.READY) {
                w.state = PoolWorker.RETIRING;
                for (WorkItem item : w.inFlight) {
                    if (!item.revoking) {
                        item.revoking = true;
                        sends.add(new ProcessPool.Send(w, Frames.revoke(item.id), null));
                    }
                }
                retiredLocked(w, "busy: it leaves after its call");
                excess--;
            }
        }
        pool.dispatchLocked(sends); // calls that were queued go to the workers that stay
    }

    /**
     * Under lock, when the pool grows: every call sent ahead to a busy worker (not its first, which
     * it runs) is asked back; it returns to the queue front unless the worker started it, and a
     * new worker starts for it there.
     */
    private void askBackSentAheadLocked(List<ProcessPool.Send> sends) {
        for (PoolWorker w : pool.workers) {
            if (w.state == PoolWorker.READY || w.state == PoolWorker.RETIRING) {
                for (int i = 1; i < w.inFlight.size(); i++) {
                    WorkItem item = w.inFlight.get(i);
                    if (!item.revoking) {
                        item.revoking = true;
                        sends.add(new ProcessPool.Send(w, Frames.revoke(item.id), null));
                    }
                }
            }
        }
    }

    private void retiredLocked(PoolWorker w, String how) {
        pool.events.add(PoolEvent.Type.WORKER_RETIRED, w.process.pid, "resize",
                "maxWorkers of " + pool.name() + " is now " + pool.maxWorkers + " (worker " + how + ")");
    }

    /** Under lock: the live worker with this pid. */
    private PoolWorker findLocked(long pid) {
        List<Long> live = new ArrayList<>();
        for (PoolWorker w : pool.workers) {
            if (w.state != PoolWorker.DEAD && w.process.pid == pid && pid > 0L) {
                return w;
            }
            if (w.state != PoolWorker.DEAD && w.process.pid > 0L) {
                live.add(w.process.pid);
            }
        }
        throw new NoSuchElementException("No live worker with pid " + pid + " in " + pool.name()
                + "; its live workers are " + live + ".");
    }

    /** The executor's config as built, with {@code maxWorkers} as it is now when it changed at run time. */
    static Map<String, Object> withCurrentMaxWorkers(Map<String, Object> built, int maxWorkers) {
        if (Integer.valueOf(maxWorkers).equals(built.get("maxWorkers"))) {
            return built;
        }
        Map<String, Object> cfg = new LinkedHashMap<>(built);
        cfg.put("maxWorkers", maxWorkers);
        return cfg;
    }
}
