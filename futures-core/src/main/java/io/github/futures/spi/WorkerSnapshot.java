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
 */
public record WorkerSnapshot(String name, long pid, long tasksCompleted, Instant startedAt, boolean busy) {
}
