package io.github.futures.bench;

import io.github.futures.spi.TaskListener;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The cheapest useful listener - counts and sums into {@link LongAdder}s - to separate the cost of
 * the listener machinery (clock reads, the calls) from what a metrics library adds on top.
 */
public final class CountingTaskListener implements TaskListener, LongSupplier {

    final LongAdder started = new LongAdder();
    final LongAdder queueWaitNanos = new LongAdder();
    final LongAdder finished = new LongAdder();
    final LongAdder executionNanos = new LongAdder();

    @Override
    public void taskStarted(long queueWaitNanos) {
        started.increment();
        this.queueWaitNanos.add(queueWaitNanos);
    }

    @Override
    public void taskFinished(long executionNanos, Outcome outcome) {
        finished.increment();
        this.executionNanos.add(executionNanos);
    }

    /** @return the calls seen to start */
    @Override
    public long getAsLong() {
        return started.sum();
    }
}
