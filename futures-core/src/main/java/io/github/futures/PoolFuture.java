package io.github.futures;

import io.github.futures.process.WorkerProcess;
import io.github.futures.spi.TaskStats;

/**
 * The future of a process pool's call: {@code cancel(true)} on it while it runs stops the call by
 * ending the worker process running it ({@link WorkerRecycler#stopRunning}).
 */
final class PoolFuture extends TrackedFuture<Object> {

    private final WorkerRecycler recycler;
    /** Its call; written once, before the future is handed out. */
    WorkItem item;

    PoolFuture(TaskStats stats, WorkerRecycler recycler) {
        super(stats);
        this.recycler = recycler;
    }

    @Override
    protected boolean canStopRunningCall() {
        return true;
    }

    @Override
    protected void stopRunningCall() {
        recycler.stopRunning(item);
    }

    /**
     * Completed by a reader thread (a result, a worker's death): its done callbacks run on the pool's
     * callback threads, so that one that waits does not hold up the results it waits for.
     */
    @Override
    java.util.concurrent.Executor callbackExecutor() {
        return Thread.currentThread() instanceof WorkerProcess.ReaderThread r && r.owner() instanceof ProcessPool p
                ? p.callbacks : null;
    }

    /** Fails the future unless it is done already; for the pool, which may lose the race to its owner. */
    boolean fail(Throwable t) {
        return trySetException(t);
    }
}
