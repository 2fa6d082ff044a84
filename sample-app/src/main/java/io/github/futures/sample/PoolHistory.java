package io.github.futures.sample;

import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A bounded, in-application history of every pool's load, for the dashboard: once every {@value #PERIOD_MILLIS}
 * ms a scheduled task reads each pool's snapshot and keeps its running, pending and worker counts, the last
 * {@value #SAMPLES} samples per pool (five minutes). A page opened now draws the last minutes at once, instead
 * of an empty chart that fills as it polls. Also the pools' queue-wait and execution percentiles (p50, p95),
 * read from the Micrometer timers the starter records ({@code futures.executor.queue.wait},
 * {@code futures.executor.execution}), over their decaying window (about two minutes).
 *
 * <p>Implementation note: a fixed-period sampler, not a hot path. Each pool's deque is guarded by itself: the
 * scheduler thread appends and trims, request threads copy; the map of deques is concurrent.
 */
@Component
public class PoolHistory {

    /** Sampling period. */
    static final long PERIOD_MILLIS = 1_000;

    /** Samples kept per pool: five minutes at one a second. */
    static final int SAMPLES = 300;

    private final ListableBeanFactory beans;
    private final ObjectProvider<MeterRegistry> registry;
    private final Map<String, Deque<Sample>> history = new ConcurrentHashMap<>();

    public PoolHistory(ListableBeanFactory beans, ObjectProvider<MeterRegistry> registry) {
        this.beans = beans;
        this.registry = registry;
    }

    /** One pool at one moment. */
    public record Sample(long t, long running, long pending, int workers) {
    }

    /** A timer's percentiles in milliseconds ({@code null} when not recorded yet) and its count. */
    public record Percentiles(Double p50, Double p95, long count) {
    }

    /** A pool's call latencies: from submit to start, and from start to end. */
    public record Latency(Percentiles queueWait, Percentiles execution) {
    }

    /**
     * What {@code GET /api/dashboard/history} answers.
     *
     * @param periodMillis the sampling period
     * @param pools each pool's samples newer than the time asked for, oldest first
     * @param latency each pool's latencies now
     */
    public record History(long periodMillis, Map<String, List<Sample>> pools, Map<String, Latency> latency) {
    }

    /** Takes one sample of every pool; a pool that went away keeps its past samples until they age out. */
    @Scheduled(fixedRate = PERIOD_MILLIS)
    public void sample() {
        long now = System.currentTimeMillis();
        beans.getBeansOfType(ObservableExecutor.class, false, false).forEach((name, executor) -> {
            ExecutorSnapshot s = executor.snapshot();
            Deque<Sample> samples = history.computeIfAbsent(name, n -> new ArrayDeque<>());
            synchronized (samples) {
                samples.addLast(new Sample(now, s.running(), s.pending(), s.workers()));
                while (samples.size() > SAMPLES) {
                    samples.removeFirst();
                }
            }
        });
    }

    /**
     * @param since only samples taken after this time (epoch milliseconds); 0 for all
     * @return the samples and the latencies now
     */
    public History since(long since) {
        Map<String, List<Sample>> pools = new LinkedHashMap<>();
        Map<String, Latency> latency = new LinkedHashMap<>();
        history.forEach((name, samples) -> {
            List<Sample> newer = new ArrayList<>();
            synchronized (samples) {
                for (Sample sample : samples) {
                    if (sample.t() > since) {
                        newer.add(sample);
                    }
                }
            }
            pools.put(name, newer);
            latency.put(name, new Latency(percentiles("futures.executor.queue.wait", name),
                    percentiles("futures.executor.execution", name)));
        });
        return new History(PERIOD_MILLIS, pools, latency);
    }

    private Percentiles percentiles(String meter, String pool) {
        MeterRegistry meters = registry.getIfAvailable();
        Timer timer = meters == null ? null : meters.find(meter).tag("name", pool).timer();
        if (timer == null) {
            return new Percentiles(null, null, 0);
        }
        Double p50 = null;
        Double p95 = null;
        for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.5) {
                p50 = v.value(TimeUnit.MILLISECONDS);
            } else if (v.percentile() == 0.95) {
                p95 = v.value(TimeUnit.MILLISECONDS);
            }
        }
        return new Percentiles(p50, p95, timer.count());
    }
}
