package io.github.futures;

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

    /** Fails the future unless it is done already; for the pool, which may lose the race to its owner. */
    boolean fail(Throwable t) {
        return trySetException(t);
    }
}
