package io.github.futures.bench.peers;

import io.github.futures.spi.TaskListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What a Micrometer binding of an executor does on every call, so that the benchmark pays the real
 * price: the queue wait goes into an {@code executor.idle} {@link Timer}, the execution time into an
 * {@code executor} timer tagged with the outcome (the names of Micrometer's own
 * {@code ExecutorServiceMetrics}). The timers are looked up once, as a binder does, and live in a
 * {@link SimpleMeterRegistry} (cumulative counts, totals and decaying maxima).
 */
public final class MicrometerTaskListener implements TaskListener, LongSupplier {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final Timer idle;
    private final Map<Outcome, Timer> execution = new EnumMap<>(Outcome.class);
    private final Timer success;

    /** Registers the timers. */
    public MicrometerTaskListener() {
        idle = Timer.builder("executor.idle").tag("name", "bench").register(registry);
        for (Outcome o : Outcome.values()) {
            execution.put(o, Timer.builder("executor").tag("name", "bench")
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        success = execution.get(Outcome.SUCCESS);
    }

    @Override
    public void taskStarted(long queueWaitNanos) {
        idle.record(queueWaitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void taskFinished(long executionNanos, Outcome outcome) {
        (outcome == Outcome.SUCCESS ? success : execution.get(outcome)).record(executionNanos, TimeUnit.NANOSECONDS);
    }

    /** @return the calls recorded as ended with a result or an exception */
    @Override
    public long getAsLong() {
        return execution.get(Outcome.SUCCESS).count() + execution.get(Outcome.FAILURE).count();
    }
}
