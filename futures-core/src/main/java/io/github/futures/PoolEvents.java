package io.github.futures;

import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.TaskStats;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A pool's events on their way out: decided under the pool's lock ({@link #add}), published to the
 * pool's {@link TaskStats} once the lock is released ({@link #publish}), so that no listener runs
 * under it. Lock-free; events leave in the order they were added.
 */
final class PoolEvents {

    private final ConcurrentLinkedQueue<PoolEvent> queue = new ConcurrentLinkedQueue<>();
    private final TaskStats stats;

    PoolEvents(TaskStats stats) {
        this.stats = stats;
    }

    /** An event that happened now, to publish after the lock is released. */
    void add(PoolEvent.Type type, long pid, String reason, String detail) {
        queue.add(PoolEvent.now(type, pid, reason, detail));
    }

    /** Publishes the queued events; cheap when there are none. Call without the pool's lock. */
    void publish() {
        if (!queue.isEmpty()) {
            for (PoolEvent e; (e = queue.poll()) != null; ) {
                stats.publish(e);
            }
        }
    }
}
