package io.github.futures.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The executor that grows before it queues: a thread per busy task up to the maximum, then a queue; never refuses. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandOffThreadsTest {

    private static ThreadPoolExecutor executor(int max, AtomicInteger made) {
        return HandOffThreads.create(max, Duration.ofSeconds(30), r -> {
            Thread t = new Thread(r, "hand-off-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Test
    void growsWhileTasksBlockThenQueuesThenRunsEverything() throws Exception {
        AtomicInteger made = new AtomicInteger();
        ThreadPoolExecutor e = executor(3, made);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(3);
        CountDownLatch ran = new CountDownLatch(5);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try {
            for (int i = 0; i < 5; i++) {
                e.execute(() -> {
                    threads.add(Thread.currentThread().getName());
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                    }
                    ran.countDown();
                });
            }
            assertThat(started.await(30, TimeUnit.SECONDS)).as("three blocked tasks, one thread each").isTrue();
            assertThat(made).hasValue(3);
            assertThat(e.getQueue()).as("the two beyond the maximum wait in the queue").hasSize(2);
            release.countDown();
            assertThat(ran.await(30, TimeUnit.SECONDS)).as("the queued ones ran on the threads that came free").isTrue();
            assertThat(threads).hasSize(3);
            assertThat(made).hasValue(3);
        } finally {
            release.countDown();
            e.shutdownNow();
        }
    }

    @Test
    void afterShutdownTheCallerRunsTheTask() {
        ThreadPoolExecutor e = executor(8, new AtomicInteger());
        e.shutdown();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        e.execute(() -> ranOn.set(Thread.currentThread()));
        assertThat(ranOn.get()).as("run by the caller, not refused").isSameAs(Thread.currentThread());
    }
}
