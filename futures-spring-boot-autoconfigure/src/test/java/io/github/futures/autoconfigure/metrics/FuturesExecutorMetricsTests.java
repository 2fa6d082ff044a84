package io.github.futures.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ThreadPoolExecutor;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link FuturesExecutorMetrics} on its own, over a real pool. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesExecutorMetricsTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void timersAreFedInEveryRegistryBoundAndStopAfterClose() {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "metered")) {
            SimpleMeterRegistry first = new SimpleMeterRegistry();
            SimpleMeterRegistry second = new SimpleMeterRegistry();
            FuturesExecutorMetrics metrics = new FuturesExecutorMetrics(pool, "metered", Tags.of("app", "test"));
            metrics.bindTo(first);
            metrics.bindTo(second);
            pool.submit(() -> 1).result(WAIT);
            assertThat(first.get("futures.executor.execution").tag("app", "test").timer().count()).isEqualTo(1);
            assertThat(second.get("futures.executor.execution").timer().count()).isEqualTo(1);
            metrics.close();
            pool.submit(() -> 2).result(WAIT);
            // the timers are no longer fed; the counters still read the pool's own counts
            assertThat(first.get("futures.executor.execution").timer().count()).isEqualTo(1);
            assertThat(first.get("futures.executor.queue.wait").timer().count()).isEqualTo(1);
            assertThat(first.get("futures.executor.submitted").functionCounter().count()).isEqualTo(2);
        }
    }
}
