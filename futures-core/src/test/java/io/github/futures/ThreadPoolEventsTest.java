package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The thread pool publishes its life as pool events: workers starting and leaving, shutdown, termination. */
@Timeout(60)
class ThreadPoolEventsTest {

    /** Two workers start, shutdown begins once, both workers retire and the pool terminates once. */
    @Test
    void aPoolPublishesWorkersShutdownAndTermination() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("evt").build();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        CountDownLatch both = new CountDownLatch(2);
        Future<?> a = pool.submit(() -> {
            both.countDown();
            both.await();
            return null;
        });
        Future<?> b = pool.submit(() -> {
            both.countDown();
            both.await();
            return null;
        });
        assertThat(both.await(20, TimeUnit.SECONDS)).isTrue();
        a.result(Duration.ofSeconds(20));
        b.result(Duration.ofSeconds(20));
        pool.shutdown(true, false);
        pool.shutdown(true, false); // a second shutdown publishes nothing more
        assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.WORKER_STARTED).extracting(PoolEvent::detail)
                .containsExactlyInAnyOrder("evt_0", "evt_1");
        assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.WORKER_RETIRED).hasSize(2);
        assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.SHUTDOWN_STARTED).hasSize(1);
        assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.TERMINATED).hasSize(1);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(PoolEvent.Type.TERMINATED);
    }

    /** A pool shut down before it started a thread terminates at once, and says so once. */
    @Test
    void anUnusedPoolTerminatesAtShutdown() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        pool.shutdown(true, false);
        assertThat(events).extracting(PoolEvent::type)
                .containsExactly(PoolEvent.Type.SHUTDOWN_STARTED, PoolEvent.Type.TERMINATED);
    }
}
