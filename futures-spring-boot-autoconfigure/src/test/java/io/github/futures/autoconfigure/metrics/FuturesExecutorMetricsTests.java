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
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
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

    /**
     * executor.pool.core and executor.queue.remaining read as Micrometer's ExecutorServiceMetrics reads a
     * fixed pool over an unbounded LinkedBlockingQueue: core = maximum, remaining = Integer.MAX_VALUE - queued.
     */
    @Test
    void coreAndQueueRemainingMatchMicrometersFixedPoolOverAnUnboundedQueue() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.Callable<Object> blocker = () -> {
            started.countDown();
            release.await();
            return null;
        };
        java.util.concurrent.ExecutorService jdk = java.util.concurrent.Executors.newFixedThreadPool(1);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "metered");
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new FuturesExecutorMetrics(pool, "metered", Tags.empty()).bindTo(registry);
            io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics.monitor(registry, jdk, "jdk");
            pool.submit(blocker);
            jdk.submit(blocker);
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 2; i++) {
                pool.submit(() -> 1);
                jdk.submit(() -> 1);
            }
            assertThat(registry.get("executor.pool.core").tag("name", "metered").gauge().value())
                    .isEqualTo(registry.get("executor.pool.core").tag("name", "jdk").gauge().value()).isEqualTo(1);
            assertThat(registry.get("executor.queue.remaining").tag("name", "metered").gauge().value())
                    .isEqualTo(registry.get("executor.queue.remaining").tag("name", "jdk").gauge().value())
                    .isEqualTo((double) Integer.MAX_VALUE - 2);
            assertThat(registry.get("executor.queue.remaining").tag("name", "metered").gauge().getId().getBaseUnit())
                    .isEqualTo(registry.get("executor.queue.remaining").tag("name", "jdk").gauge().getId().getBaseUnit());
        } finally {
            // released before the pools are shut down: their shutdown waits for the blocked calls
            release.countDown();
            pool.shutdown(false, true);
            jdk.shutdownNow();
        }
    }

    /**
     * Rejections, call timeouts and worker replacements by reason are function counters over the pool's
     * TaskStats, tagged name and kind like the other futures meters; every reason's counter exists from the start.
     */
    @Test
    void rejectedTimedOutAndReplacedCountersReadThePoolsEvents() {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "metered")) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new FuturesExecutorMetrics(pool, "metered", Tags.of("app", "test")).bindTo(registry);
            for (String reason : FuturesExecutorMetrics.REPLACEMENT_REASONS) {
                assertThat(registry.get("futures.executor.workers.replaced").tags("name", "metered", "kind", "thread",
                        "app", "test", "reason", reason).functionCounter().count()).as(reason).isZero();
            }
            io.github.futures.spi.TaskStats stats = pool.taskStats();
            stats.publish(io.github.futures.spi.PoolEvent.now(io.github.futures.spi.PoolEvent.Type.CALL_REJECTED, -1, null, null));
            stats.publish(io.github.futures.spi.PoolEvent.now(io.github.futures.spi.PoolEvent.Type.CALL_REJECTED, -1, null, null));
            stats.publish(io.github.futures.spi.PoolEvent.now(io.github.futures.spi.PoolEvent.Type.CALL_TIMED_OUT, -1, null, null));
            stats.publish(io.github.futures.spi.PoolEvent.now(io.github.futures.spi.PoolEvent.Type.WORKER_REPLACED, 7, "memory", null));
            stats.publish(io.github.futures.spi.PoolEvent.now(io.github.futures.spi.PoolEvent.Type.WORKER_REPLACED, 8, "memory", null));
            stats.publish(io.github.futures.spi.PoolEvent.now(io.github.futures.spi.PoolEvent.Type.WORKER_REPLACED, 9, "died", null));
            assertThat(registry.get("futures.executor.rejected").tags("name", "metered", "kind", "thread", "app", "test")
                    .functionCounter().count()).isEqualTo(2);
            assertThat(registry.get("futures.executor.calls.timed.out").tags("name", "metered", "kind", "thread")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("futures.executor.workers.replaced").tags("name", "metered", "reason", "memory")
                    .functionCounter().count()).isEqualTo(2);
            assertThat(registry.get("futures.executor.workers.replaced").tags("name", "metered", "reason", "died")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("futures.executor.workers.replaced").tags("name", "metered", "reason", "idle")
                    .functionCounter().count()).isZero();
        }
    }
}
