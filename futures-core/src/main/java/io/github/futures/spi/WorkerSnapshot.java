package io.github.futures.spi;

import java.time.Instant;

/**
 * One worker of a pool, as seen at one moment.
 *
 * @param name the thread name, or a process worker's name
 * @param pid the worker process id, or -1 for a thread
 * @param tasksCompleted calls this worker finished
 * @param startedAt when the worker started
 * @param busy whether it is running a call now
 * @param usedHeap a process worker's used heap in bytes as it last reported it (after a call, at most
 *     about once a second unless the pool limits worker memory), or -1 when unknown (a thread, a
 *     worker that has run no call yet)
 */
public record WorkerSnapshot(String name, long pid, long tasksCompleted, Instant startedAt, boolean busy,
                             long usedHeap) {

    /**
     * A worker whose used heap is unknown.
     *
     * @param name the thread name, or a process worker's name
     * @param pid the worker process id, or -1 for a thread
     * @param tasksCompleted calls this worker finished
     * @param startedAt when the worker started
     * @param busy whether it is running a call now
     */
    public WorkerSnapshot(String name, long pid, long tasksCompleted, Instant startedAt, boolean busy) {
        this(name, pid, tasksCompleted, startedAt, busy, -1L);
    }
}
