package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code maxPending} on the thread pool: a bounded queue that rejects at once and never blocks the submitter. */
@Timeout(60)
class ThreadPoolMaxPendingTest {

    /** A submit beyond maxPending pending calls is rejected at once, naming pool and limit; a freed slot is usable again. */
    @Test
    void submitBeyondMaxPendingIsRejectedAtOnce() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).maxPending(2).threadNamePrefix("bounded")
                .build();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            Future<String> busy = pool.submit(() -> {
                running.countDown();
                release.await();
                return "busy";
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue(); // running: it holds no pending slot
            Future<String> p1 = pool.submit(() -> "p1");
            Future<String> p2 = pool.submit(() -> "p2");
            assertThatThrownBy(() -> pool.submit(() -> "p3"))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("bounded has 2 pending calls, its maxPending limit")
                    .hasMessageContaining("builder().maxPending(int)");
            assertThat(pool.taskStats().rejectedCount()).isEqualTo(1);
            assertThat(pool.taskStats().submittedCount()).isEqualTo(3);
            assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.CALL_REJECTED).singleElement()
                    .satisfies(e -> assertThat(e.detail()).contains("bounded", "2"));

            assertThat(p1.cancel()).isTrue(); // a cancelled pending call gives its slot back
            Future<String> p4 = pool.submit(() -> "p4");
            release.countDown();
            assertThat(List.of(busy.result(Duration.ofSeconds(20)), p2.result(Duration.ofSeconds(20)),
                    p4.result(Duration.ofSeconds(20)))).containsExactly("busy", "p2", "p4");
            // Drained: the full limit is available again.
            assertThat(pool.submit(() -> "again").result(Duration.ofSeconds(20))).isEqualTo("again");
            assertThat(pool.snapshot().config()).containsEntry("maxPending", 2);
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    /** Many threads submitting at once while no call can start: exactly maxPending calls are accepted, never more. */
    @Test
    void concurrentSubmittersNeverExceedTheBound() throws Exception {
        int maxPending = 16;
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).maxPending(maxPending).build();
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < 2; i++) {
                pool.submit(() -> {
                    running.countDown();
                    release.await();
                    return null;
                });
            }
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            int threads = 8;
            int perThread = 200;
            SubmitStorm storm = SubmitStorm.run(threads, perThread, Duration.ofSeconds(30), () -> pool.submit(() -> 1));
            assertThat(storm.accepted()).isEqualTo(maxPending);
            assertThat(storm.rejected()).isEqualTo(threads * perThread - maxPending);
            assertThat(pool.taskStats().pendingCount()).isEqualTo(maxPending);
            assertThat(pool.taskStats().rejectedCount()).isEqualTo(threads * perThread - maxPending);
            release.countDown();
            pool.shutdown(true, false);
            assertThat(pool.taskStats().succeededCount()).isEqualTo(maxPending + 2);
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    /**
     * A map without buffersize larger than the limit fails with RejectedExecutionException, and the
     * calls it submitted are cancelled, the running one interrupted: none runs on for nobody.
     */
    @Test
    void aMapLargerThanTheLimitFailsAndStopsWhatItSubmitted() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).maxPending(2).build();
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch firstInterrupted = new CountDownLatch(1);
        try {
            // The source hands out its second item only once the first call runs, so that one call
            // runs and two are pending when the fourth submit is refused.
            Iterable<Integer> items = () -> new Iterator<>() {
                int next;

                @Override
                public boolean hasNext() {
                    return next < 10;
                }

                @Override
                public Integer next() {
                    if (next >= 10) {
                        throw new NoSuchElementException();
                    }
                    if (next == 1) {
                        try {
                            assertThat(firstRunning.await(20, TimeUnit.SECONDS)).isTrue();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return next++;
                }
            };
            assertThatThrownBy(() -> pool.map(x -> {
                if (x == 0) {
                    firstRunning.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        firstInterrupted.countDown();
                    }
                }
                return x;
            }, items)).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("maxPending");
            assertThat(firstInterrupted.await(20, TimeUnit.SECONDS)).as("the running call was stopped").isTrue();
            assertThat(pool.taskStats().cancelledCount()).isEqualTo(3);
            assertThat(pool.taskStats().pendingCount()).isZero();
            assertThat(pool.submit(() -> "free again").result(Duration.ofSeconds(20))).isEqualTo("free again");
        } finally {
            pool.shutdown(true, false);
        }
    }

    /** A map whose buffersize is within the limit is never refused, however long it is. */
    @Test
    void aMapWithBuffersizeWithinTheLimitIsNeverRejected() {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).maxPending(3).build();
        try {
            List<Integer> results = pool.map(x -> x * 2, IntStream.range(0, 500).boxed().toList(),
                    MapOptions.DEFAULTS.withBuffersize(3)).collect(Collectors.toList());
            assertThat(results).hasSize(500).startsWith(0, 2, 4).endsWith(998);
            assertThat(pool.taskStats().rejectedCount()).isZero();
        } finally {
            pool.shutdown(true, false);
        }
    }

    /** maxPending below 1 is refused with a message saying how to have no limit. */
    @Test
    void zeroOrNegativeMaxPendingIsRefused() {
        assertThatThrownBy(() -> ThreadPoolExecutor.builder().maxPending(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPending must be at least 1, got 0")
                .hasMessageContaining("leave it unset for no limit");
        assertThatThrownBy(() -> ThreadPoolExecutor.builder().maxPending(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -5");
    }
}
