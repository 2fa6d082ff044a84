package io.github.futures.spi;

import java.util.List;
import java.util.Map;

/**
 * The state of an executor at one moment, for metrics, the actuator endpoint and health. Counts are
 * read from independent counters without a lock, so under load they may be off by a few calls
 * relative to each other; none is ever negative.
 *
 * @param kind {@code thread}, {@code process} or {@code cluster}
 * @param state {@code running}, {@code shutdown} or {@code broken}
 * @param maxWorkers the maximum number of workers
 * @param workers the number of live workers
 * @param workersStarted workers ever started
 * @param pending futures submitted and not started (nor cancelled)
 * @param running futures running now
 * @param submitted submissions accepted
 * @param succeeded futures finished with a result
 * @param failed futures finished with an exception
 * @param cancelled futures cancelled
 * @param brokenReason why the pool is broken, or {@code null}
 * @param workerDetails the live workers
 * @param config the effective configuration (no secrets)
 */
public record ExecutorSnapshot(String kind, String state, int maxWorkers, int workers, long workersStarted,
                               long pending, long running, long submitted, long succeeded, long failed,
                               long cancelled, String brokenReason, List<WorkerSnapshot> workerDetails,
                               Map<String, Object> config) {

    /** State name of a pool that accepts work. */
    public static final String RUNNING = "running";
    /** State name of a pool that was shut down. */
    public static final String SHUTDOWN = "shutdown";
    /** State name of a broken pool. */
    public static final String BROKEN = "broken";
}
