package io.github.futures.autoconfigure.metrics;

import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.TaskListener;
import io.github.futures.spi.TaskStats;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds the meters of one futures executor: Micrometer's standard {@code executor.*} names (tag
 * {@code name}), so that the usual executor dashboards show the pool, and the {@code futures.*}
 * meters (tags {@code name} and {@code kind}) for the state and outcome of its futures and the health
 * of its workers.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>extra tags</th><th>meaning</th></tr>
 * <tr><td>{@code executor.active}</td><td>gauge</td><td></td><td>calls running</td></tr>
 * <tr><td>{@code executor.queued}</td><td>gauge</td><td></td><td>calls waiting to start</td></tr>
 * <tr><td>{@code executor.pool.size}</td><td>gauge</td><td></td><td>live workers</td></tr>
 * <tr><td>{@code executor.pool.max}</td><td>gauge</td><td></td><td>maximum workers</td></tr>
 * <tr><td>{@code executor.pool.core}</td><td>gauge</td><td></td><td>core workers: the maximum (a fixed pool)</td></tr>
 * <tr><td>{@code executor.queue.remaining}</td><td>gauge</td><td></td><td>calls the unbounded queue can still take:
 *     {@code Integer.MAX_VALUE} minus the queued, as for an unbounded {@code LinkedBlockingQueue}</td></tr>
 * <tr><td>{@code executor.completed}</td><td>function counter</td><td></td><td>calls that ran to an end</td></tr>
 * <tr><td>{@code futures.executor.futures}</td><td>gauge</td><td>{@code state}</td><td>futures pending or running now</td></tr>
 * <tr><td>{@code futures.executor.futures.completed}</td><td>function counter</td><td>{@code outcome}</td><td>futures done: success, failure, cancelled</td></tr>
 * <tr><td>{@code futures.executor.submitted}</td><td>function counter</td><td></td><td>submissions accepted</td></tr>
 * <tr><td>{@code futures.executor.queue.wait}</td><td>timer</td><td></td><td>time from submit to start</td></tr>
 * <tr><td>{@code futures.executor.execution}</td><td>timer</td><td></td><td>time from start to done</td></tr>
 * <tr><td>{@code futures.executor.workers}</td><td>gauge</td><td></td><td>live workers</td></tr>
 * <tr><td>{@code futures.executor.workers.started}</td><td>function counter</td><td></td><td>workers ever started</td></tr>
 * <tr><td>{@code futures.executor.broken}</td><td>gauge</td><td></td><td>1 if the pool is broken, else 0</td></tr>
 * <tr><td>{@code futures.executor.rejected}</td><td>function counter</td><td></td><td>submissions refused at the pending limit</td></tr>
 * <tr><td>{@code futures.executor.calls.timed.out}</td><td>function counter</td><td></td><td>calls stopped at their call timeout</td></tr>
 * <tr><td>{@code futures.executor.workers.replaced}</td><td>function counter</td><td>{@code reason}</td><td>workers
 *     replaced: {@code died}, {@code memory}, {@code max-tasks}, {@code timeout}, {@code cancel}, {@code idle}</td></tr>
 * </table>
 *
 * <p>Counts are read from the executor's {@link TaskStats} ({@code LongAdder}s) when the registry
 * asks; nothing is counted on the submit path beyond what the executor always counts. The two timers
 * are fed by a {@link TaskListener} that {@link #bindTo} registers and {@link #close} removes; until a
 * listener is registered the executor does not even read the clock. As for Spring Boot's own timers,
 * percentile histograms are off unless asked for
 * ({@code management.metrics.distribution.percentiles-histogram.futures.executor=true}): a histogram
 * costs on every call.
 *
 * @since 0.1.0
 */
public final class FuturesExecutorMetrics implements MeterBinder, AutoCloseable {

    /**
     * The reasons a pool gives for replacing a worker ({@code PoolEvent}'s {@code reason}): a counter
     * for each is registered up front, so that a dashboard's rate() sees it start at 0.
     */
    static final List<String> REPLACEMENT_REASONS = List.of("died", "memory", "max-tasks", "timeout", "cancel", "idle",
            "request");

    private final ObservableExecutor executor;

    private final String name;

    private final Iterable<Tag> tags;

    /** One per registry bound to; copy-on-write, so close() and bindTo() need no lock. */
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /**
     * Meters for {@code executor}, tagged with {@code name}.
     *
     * @param executor the executor
     * @param name its name, usually the bean name
     * @param tags further tags for every meter
     */
    public FuturesExecutorMetrics(ObservableExecutor executor, String name, Iterable<Tag> tags) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.name = Objects.requireNonNull(name, "name");
        this.tags = Tags.concat(tags, "name", name);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        TaskStats stats = this.executor.taskStats();
        Tags futuresTags = Tags.concat(this.tags, "kind", this.executor.kind());

        // Micrometer's standard executor meters, with the base units ExecutorServiceMetrics uses.
        Gauge.builder("executor.active", stats, TaskStats::runningCount).tags(this.tags)
                .description("The approximate number of calls that are running now")
                .baseUnit(BaseUnits.THREADS).register(registry);
        Gauge.builder("executor.queued", stats, TaskStats::pendingCount).tags(this.tags)
                .description("The approximate number of calls that are waiting to start")
                .baseUnit(BaseUnits.TASKS).register(registry);
        gauge(registry, "executor.pool.size", this.tags, s -> s.workers(), "The number of live workers", BaseUnits.THREADS);
        gauge(registry, "executor.pool.max", this.tags, s -> s.maxWorkers(), "The maximum number of workers", BaseUnits.THREADS);
        // A futures pool is a fixed pool, as Executors.newFixedThreadPool: its core size is its maximum.
        gauge(registry, "executor.pool.core", this.tags, s -> s.maxWorkers(),
                "The core number of workers: the maximum, as for a fixed pool", BaseUnits.THREADS);
        // The queue is unbounded: reported as ExecutorServiceMetrics reports an unbounded LinkedBlockingQueue,
        // whose remainingCapacity() is Integer.MAX_VALUE minus its size.
        Gauge.builder("executor.queue.remaining", stats, s -> (double) Integer.MAX_VALUE - s.pendingCount()).tags(this.tags)
                .description("The number of additional calls the queue can accept without blocking (it is unbounded)")
                .baseUnit(BaseUnits.TASKS).register(registry);
        FunctionCounter.builder("executor.completed", stats, TaskStats::completedCount).tags(this.tags)
                .description("The number of calls that ran to an end, with a result or an exception")
                .baseUnit(BaseUnits.TASKS).register(registry);

        // The futures.* meters.
        Gauge.builder("futures.executor.futures", stats, TaskStats::pendingCount).tags(futuresTags).tag("state", "pending")
                .description("Futures in the given state now").register(registry);
        Gauge.builder("futures.executor.futures", stats, TaskStats::runningCount).tags(futuresTags).tag("state", "running")
                .description("Futures in the given state now").register(registry);
        outcome(registry, stats, futuresTags, "success", TaskStats::succeededCount);
        outcome(registry, stats, futuresTags, "failure", TaskStats::failedCount);
        outcome(registry, stats, futuresTags, "cancelled", TaskStats::cancelledCount);
        FunctionCounter.builder("futures.executor.submitted", stats, TaskStats::submittedCount).tags(futuresTags)
                .description("Submissions the executor accepted").register(registry);
        gauge(registry, "futures.executor.workers", futuresTags, s -> s.workers(), "The number of live workers", null);
        FunctionCounter.builder("futures.executor.workers.started", this.executor, e -> snapshotOrNaN(e, s -> s.workersStarted()))
                .tags(futuresTags).description("Workers ever started; replacements of ended or crashed workers count too")
                .register(registry);
        gauge(registry, "futures.executor.broken", futuresTags,
                s -> ExecutorSnapshot.BROKEN.equals(s.state()) ? 1 : 0, "1 when the pool is broken, else 0", null);

        FunctionCounter.builder("futures.executor.rejected", stats, TaskStats::rejectedCount).tags(futuresTags)
                .description("Submissions refused because the pool's pending limit was reached").register(registry);
        FunctionCounter.builder("futures.executor.calls.timed.out", stats, TaskStats::timedOutCount).tags(futuresTags)
                .description("Calls stopped because they ran past their call timeout").register(registry);
        for (String reason : REPLACEMENT_REASONS) {
            FunctionCounter.builder("futures.executor.workers.replaced", stats,
                    s -> s.replacedCounts().getOrDefault(reason, 0L)).tags(futuresTags).tag("reason", reason)
                    .description("Workers replaced by a fresh one, by reason").register(registry);
        }

        Timer queueWait = Timer.builder("futures.executor.queue.wait").tags(futuresTags)
                .description("Time from submit to start of a call").register(registry);
        Timer execution = Timer.builder("futures.executor.execution").tags(futuresTags)
                .description("Time from start to end of a call").register(registry);
        Listener l = new Listener(queueWait, execution);
        this.listeners.add(l);
        stats.addListener(l);
    }

    /** Stops feeding the timers. The meters stay in the registry until it is closed. */
    @Override
    public void close() {
        for (Listener l : this.listeners) {
            this.listeners.remove(l);
            this.executor.taskStats().removeListener(l);
        }
    }

    /**
     * The name the meters are tagged with.
     *
     * @return the executor's name
     */
    public String getName() {
        return this.name;
    }

    private void gauge(MeterRegistry registry, String meter, Iterable<Tag> tags, ToDoubleFunction<ExecutorSnapshot> value,
                       String description, String baseUnit) {
        Gauge.builder(meter, this.executor, e -> snapshotOrNaN(e, value)).tags(tags).description(description)
                .baseUnit(baseUnit).register(registry);
    }

    private static void outcome(MeterRegistry registry, TaskStats stats, Tags tags, String outcome,
                                ToDoubleFunction<TaskStats> count) {
        FunctionCounter.builder("futures.executor.futures.completed", stats, count).tags(tags).tag("outcome", outcome)
                .description("Futures done, by outcome").register(registry);
    }

    private static double snapshotOrNaN(ObservableExecutor executor, ToDoubleFunction<ExecutorSnapshot> value) {
        try {
            return value.applyAsDouble(executor.snapshot());
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Feeds the timers from the executor's threads: quick, no locks, never throws. */
    private static final class Listener implements TaskListener {

        private final Timer queueWait;

        private final Timer execution;

        Listener(Timer queueWait, Timer execution) {
            this.queueWait = queueWait;
            this.execution = execution;
        }

        @Override
        public void taskStarted(long queueWaitNanos) {
            this.queueWait.record(queueWaitNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void taskFinished(long executionNanos, Outcome outcome) {
            // Cancelled futures and failures before the start (a broken pool) never ran.
            if (outcome != Outcome.CANCELLED && executionNanos > 0L) {
                this.execution.record(executionNanos, TimeUnit.NANOSECONDS);
            }
        }
    }
}
