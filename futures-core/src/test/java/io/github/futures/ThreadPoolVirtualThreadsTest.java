package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.spi.WorkerSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code virtualThreads(true)}: calls on virtual threads with max_workers semantics (JDK 21+), refused on JDK 17. */
@Timeout(60)
class ThreadPoolVirtualThreadsTest {

    private static boolean jdk21() {
        return Runtime.version().feature() >= 21;
    }

    private static boolean isVirtual(Thread t) throws ReflectiveOperationException {
        return (boolean) Thread.class.getMethod("isVirtual").invoke(t);
    }

    /** Before JDK 21, build() refuses virtual threads with UnsupportedOperationException saying what is needed. */
    @Test
    void beforeJdk21BuildRefusesVirtualThreads() {
        assumeFalse(jdk21(), "this JDK has virtual threads");
        ThreadPoolExecutor.Builder b = ThreadPoolExecutor.builder().virtualThreads(true);
        assertThatThrownBy(b::build).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("virtualThreads(true) needs JDK 21 or later");
    }

    /**
     * At most maxWorkers calls run at once on virtual threads named prefix_n; the rest wait PENDING,
     * cancellable, and the submitter never blocks.
     */
    @Test
    void atMostMaxWorkersCallsRunTheRestWaitPendingInOrder() throws Exception {
        assumeTrue(jdk21(), "virtual threads need JDK 21+");
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("vt").virtualThreads(true)
                .build();
        CountDownLatch twoRunning = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        List<Integer> order = new CopyOnWriteArrayList<>();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) { // never blocks: 998 of them wait PENDING
                int n = i;
                futures.add(pool.submit(() -> {
                    int c = concurrent.incrementAndGet();
                    maxConcurrent.accumulateAndGet(c, Math::max);
                    threads.add(Thread.currentThread());
                    order.add(n);
                    twoRunning.countDown();
                    release.await();
                    concurrent.decrementAndGet();
                    return n;
                }));
            }
            assertThat(twoRunning.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(futures.subList(2, 1000)).allMatch(f -> !f.running() && !f.done());
            assertThat(pool.taskStats().pendingCount()).isEqualTo(998);
            assertThat(futures.get(500).cancel()).isTrue();
            assertThat(pool.snapshot().workerDetails()).extracting(WorkerSnapshot::name)
                    .containsExactlyInAnyOrder("vt_0", "vt_1");
            assertThat(pool.snapshot().config()).containsEntry("virtualThreads", true);
            release.countDown();
            for (int i = 0; i < 1000; i++) {
                if (i != 500) {
                    assertThat(futures.get(i).result(Duration.ofSeconds(30))).isEqualTo(i);
                }
            }
            assertThat(maxConcurrent).hasValue(2);
            assertThat(order).hasSize(999).doesNotHaveDuplicates().doesNotContain(500);
            assertThat(threads).hasSize(2);
            for (Thread t : threads) {
                assertThat(isVirtual(t)).isTrue();
                assertThat(t.getName()).isIn("vt_0", "vt_1");
            }
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    /** Pending calls start in the order they were submitted (one worker, so the start order is observable). */
    @Test
    void pendingCallsStartInSubmissionOrder() throws Exception {
        assumeTrue(jdk21(), "virtual threads need JDK 21+");
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).virtualThreads(true).build();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> order = new CopyOnWriteArrayList<>();
        try {
            Future<?> first = pool.submit(() -> {
                running.countDown();
                release.await();
                return null;
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            List<Future<Boolean>> rest = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                int n = i;
                rest.add(pool.submit(() -> order.add(n)));
            }
            release.countDown();
            first.result(Duration.ofSeconds(20));
            for (Future<Boolean> f : rest) {
                f.result(Duration.ofSeconds(20));
            }
            assertThat(order).hasSize(300).isSorted();
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    /** cancel(true) interrupts a call running on a virtual thread; the pool serves on. */
    @Test
    void cancelTrueInterruptsAVirtualThreadCall() throws Exception {
        assumeTrue(jdk21(), "virtual threads need JDK 21+");
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).virtualThreads(true).build();
        try {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            Future<String> f = pool.submit(() -> {
                running.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return "late";
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cancel(true)).isTrue();
            assertThat(interrupted.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).result(Duration.ofSeconds(20))).isFalse();
        } finally {
            pool.shutdown(true, false);
        }
    }
}
