package io.github.futures.bench.peers;

import io.github.futures.spi.TaskListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What the starter's Micrometer binding ({@code FuturesExecutorMetrics} in
 * futures-spring-boot-autoconfigure, which futures-core cannot depend on) does on every call, so that
 * the benchmark pays the real price: the same two timers, {@code futures.executor.queue.wait} and
 * {@code futures.executor.execution}, with the same tags and (as the starter's default) no percentile histogram, looked up once
 * and fed from the executor's threads; a call that was cancelled or never ran records no execution
 * time. The registry is a {@link SimpleMeterRegistry} (cumulative counts, totals, maxima and
 * histogram buckets).
 */
public final class MicrometerTaskListener implements TaskListener, LongSupplier {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final Timer queueWait;
    private final Timer execution;

    /** Registers the timers as the binding does. */
    public MicrometerTaskListener() {
        queueWait = Timer.builder("futures.executor.queue.wait").tag("name", "bench").tag("kind", "thread")
                .description("Time from submit to start of a call").register(registry);
        execution = Timer.builder("futures.executor.execution").tag("name", "bench").tag("kind", "thread")
                .description("Time from start to end of a call").register(registry);
    }

    @Override
    public void taskStarted(long queueWaitNanos) {
        queueWait.record(queueWaitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void taskFinished(long executionNanos, Outcome outcome) {
        if (outcome != Outcome.CANCELLED && executionNanos > 0L) {
            execution.record(executionNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** @return the calls whose queue wait was recorded (every call that started) */
    @Override
    public long getAsLong() {
        return queueWait.count();
    }
}
