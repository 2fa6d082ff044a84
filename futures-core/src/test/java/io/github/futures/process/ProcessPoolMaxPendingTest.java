package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SubmitStorm;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.TaskListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code maxPending} on the process pool, with real worker JVMs.
 */
@Timeout(90)
class ProcessPoolMaxPendingTest {

    /** Blocking calls submitted by {@link #blockedPool}. */
    private static final int BUSY = 7;
    /** Of those, the ones left queued (pending). */
    private static final int QUEUED = 3;

    /**
     * A pool of one worker that can take no more calls: it holds the most calls a worker is ever
     * sent ahead ({@code ProcessPool.DEEP_IN_FLIGHT}, 4), all blocking forever, and three more blocking
     * calls wait in the queue. From then on no call leaves PENDING, so what is accepted is exactly
     * what the bound lets in: {@code maxPending - 3} more calls. (Two calls are sent ahead; a backlog
     * of four queued calls per worker sends one more each time, up to four.)
     */
    private static ProcessPoolExecutor blockedPool(int maxPending) throws InterruptedException {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).maxPending(maxPending).build();
        CountDownLatch twoStarted = new CountDownLatch(2);
        CountDownLatch fourStarted = new CountDownLatch(4);
        pool.taskStats().addListener(new TaskListener() {
            @Override
            public void taskStarted(long queueWaitNanos) {
                twoStarted.countDown();
                fourStarted.countDown();
            }
        });
        pool.submit(Probes.blockForever());
        pool.submit(Probes.blockForever());
        assertThat(twoStarted.await(60, TimeUnit.SECONDS)).as("two blocking calls sent to the worker").isTrue();
        // The 4th and the 5th make a backlog of four: each time one more is sent ahead; three stay queued.
        for (int i = 0; i < 5; i++) {
            pool.submit(Probes.blockForever());
        }
        assertThat(fourStarted.await(60, TimeUnit.SECONDS)).as("four blocking calls sent to the worker").isTrue();
        assertThat(pool.taskStats().pendingCount()).isEqualTo(QUEUED);
        return pool;
    }

    /** A submit beyond maxPending is rejected at once, naming pool and limit; a cancelled call frees its slot. */
    @Test
    void submitBeyondMaxPendingIsRejectedAtOnce() throws Exception {
        ProcessPoolExecutor pool = blockedPool(QUEUED + 3);
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        try {
            List<Future<Integer>> accepted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                accepted.add(pool.submit(() -> n));
            }
            assertThatThrownBy(() -> pool.submit(() -> 99))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("ProcessPoolExecutor-")
                    .hasMessageContaining("has 6 pending calls, its maxPending limit")
                    .hasMessageContaining("builder().maxPending(int)");
            assertThat(pool.taskStats().rejectedCount()).isEqualTo(1);
            assertThat(events).extracting(PoolEvent::type).contains(PoolEvent.Type.CALL_REJECTED);
            assertThat(pool.snapshot().config()).containsEntry("maxPending", QUEUED + 3);

            assertThat(accepted.get(0).cancel()).isTrue();
            accepted.add(pool.submit(() -> 4)); // the freed slot
            assertThatThrownBy(() -> pool.submit(() -> 5)).isInstanceOf(RejectedExecutionException.class);
            assertThat(pool.taskStats().rejectedCount()).isEqualTo(2);
        } finally {
            pool.killWorkers();
            pool.shutdown(true, true);
        }
    }

    /** Many threads submitting at once: exactly maxPending calls are accepted, never more. */
    @Test
    void concurrentSubmittersNeverExceedTheBound() throws Exception {
        int maxPending = 13;
        ProcessPoolExecutor pool = blockedPool(maxPending);
        try {
            int threads = 6;
            int perThread = 50;
            SubmitStorm storm = SubmitStorm.run(threads, perThread, Duration.ofSeconds(60), () -> pool.submit(() -> 1));
            assertThat(storm.accepted()).isEqualTo(maxPending - QUEUED);
            assertThat(storm.rejected()).isEqualTo(threads * perThread - (maxPending - QUEUED));
            assertThat(pool.taskStats().pendingCount()).isEqualTo(maxPending);
        } finally {
            pool.killWorkers();
            pool.shutdown(true, true);
        }
    }

    /**
     * A map counts each chunk as one pending call: three chunks fit a limit of three; a fourth fails
     * the map with RejectedExecutionException and its chunks already submitted are cancelled.
     */
    @Test
    void aMapCountsChunksAndFailsBeyondTheLimit() throws Exception {
        ProcessPoolExecutor pool = blockedPool(QUEUED + 3);
        try {
            List<Integer> thirty = IntStream.range(0, 30).boxed().toList();
            pool.map(x -> x, thirty, MapOptions.DEFAULTS.withChunksize(10)).close(); // 3 chunks: accepted, then cancelled
            assertThat(pool.taskStats().submittedCount()).isEqualTo(BUSY + 3);
            assertThat(pool.taskStats().cancelledCount()).isEqualTo(3);

            List<Integer> forty = IntStream.range(0, 40).boxed().toList();
            assertThatThrownBy(() -> pool.map(x -> x, forty, MapOptions.DEFAULTS.withChunksize(10)))
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("maxPending");
            assertThat(pool.taskStats().submittedCount()).isEqualTo(BUSY + 6);
            assertThat(pool.taskStats().cancelledCount()).isEqualTo(6);
            assertThat(pool.taskStats().pendingCount()).isEqualTo(QUEUED); // only the blocking calls
        } finally {
            pool.killWorkers();
            pool.shutdown(true, true);
        }
    }

    /** With working workers, a map whose buffersize is within the limit runs to the end, never refused. */
    @Test
    void aMapWithBuffersizeWithinTheLimitRunsToTheEnd() {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).maxPending(2).build();
        try {
            List<Integer> results = pool.map(x -> x + 1, IntStream.range(0, 200).boxed().toList(),
                    MapOptions.DEFAULTS.withChunksize(5).withBuffersize(2).withTimeout(Duration.ofSeconds(60))).toList();
            assertThat(results).hasSize(200).startsWith(1, 2).endsWith(200);
            assertThat(pool.taskStats().rejectedCount()).isZero();
        } finally {
            pool.shutdown(true, false);
        }
    }

    /** maxPending below 1 is refused with a clear message. */
    @Test
    void zeroOrNegativeMaxPendingIsRefused() {
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().maxPending(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPending must be at least 1, got 0");
    }
}
