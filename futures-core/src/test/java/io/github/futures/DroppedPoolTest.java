package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A ThreadPoolExecutor dropped without shutdown does not keep its threads (issue 15): once the
 * executor is garbage-collected its idle workers end, as CPython's do.
 *
 * <p>Regression: 200 dropped pools kept 200 idle threads for ever.
 */
@Timeout(120)
class DroppedPoolTest {

    private static final int POOLS = 200;

    /** 200 pools dropped with an idle worker each: after collection every worker thread has ended. */
    @Test
    void idleWorkersOfDroppedPoolsEndOnceThePoolIsCollected() throws InterruptedException {
        List<Thread> workers = startAndDropPools();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (anyAlive(workers) && System.nanoTime() < deadline) {
            CountDownLatch cleaned = new CountDownLatch(1);
            FuturesCleaner.CLEANER.register(new Object(), cleaned::countDown);
            System.gc();
            cleaned.await(1, TimeUnit.SECONDS);
        }
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
        long alive = workers.stream().filter(Thread::isAlive).count();
        System.out.printf("[reliability] DroppedPoolTest %d dropped pools: %d worker threads alive after collection%n",
                POOLS, alive);
        assertThat(alive).as("worker threads of dropped pools still alive").isZero();
    }

    /** A dropped pool still runs the calls it accepted before it ends. */
    @Test
    void aDroppedPoolRunsWhatItAcceptedFirst() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        Thread worker = submitAndDrop(release, futures);
        for (int i = 0; i < 3; i++) {
            CountDownLatch cleaned = new CountDownLatch(1);
            FuturesCleaner.CLEANER.register(new Object(), cleaned::countDown);
            System.gc();
            cleaned.await(2, TimeUnit.SECONDS);
        }
        release.countDown();
        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i).result(Duration.ofSeconds(20))).isEqualTo(i);
        }
        worker.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(worker.isAlive()).isFalse();
    }

    private static Thread submitAndDrop(CountDownLatch release, List<Future<Integer>> futures) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "dropped-busy");
        Thread worker = pool.submit(Thread::currentThread).result(Duration.ofSeconds(20));
        pool.submit(() -> {
            release.await();
            return null;
        });
        for (int i = 0; i < 5; i++) {
            int n = i;
            futures.add(pool.submit(() -> n));
        }
        return worker;
    }

    private static List<Thread> startAndDropPools() {
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < POOLS; i++) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(2, "dropped-" + i);
            workers.add(pool.submit(Thread::currentThread).result(Duration.ofSeconds(20)));
        }
        return workers;
    }

    private static boolean anyAlive(List<Thread> threads) {
        return threads.stream().anyMatch(Thread::isAlive);
    }
}
