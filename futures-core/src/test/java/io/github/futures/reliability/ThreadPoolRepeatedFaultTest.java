package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.BrokenThreadPool;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.ExecutorSnapshot;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fault in a thread pool's worker loop, outside any call, that repeats in the worker started to
 * replace the failed one. Nothing a call or a listener does reaches the loop any more, so the fault is
 * made from outside: {@code Thread.stop()} (JDK 17; from JDK 20 on it only throws, and the test is
 * skipped) of an idle worker throws {@code ThreadDeath} inside the pool's own code, as running out of
 * memory there would.
 *
 * <p>Regression: the pool replaced a failed worker without limit, so a fault that comes back in every
 * replacement made it start threads for ever, never broken and never saying why. Now a replacement that
 * fails before it ran a call is not replaced: the pool breaks, and the reason says what repeated.
 */
@Timeout(60)
class ThreadPoolRepeatedFaultTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    /** One fault is survived (a replacement starts); the same fault in that replacement breaks the pool. */
    @Test
    void faultRepeatingInTheReplacementBreaksThePoolSayingWhy() throws Exception {
        assumeTrue(Runtime.version().feature() < 20, "Thread.stop() works only before JDK 20");
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "repeated-fault");
        try {
            Thread first = pool.submit(Thread::currentThread).result(LIMIT);
            stopWhenIdle(first);
            Thread second = awaitThread("repeated-fault_1");
            assertThat(pool.snapshot().state()).as("one fault: replaced, not broken").isEqualTo(ExecutorSnapshot.RUNNING);
            stopWhenIdle(second);
            second.join(LIMIT.toMillis());
            assertThat(pool.snapshot().state()).as("the replacement failed too").isEqualTo(ExecutorSnapshot.BROKEN);
            assertThatThrownBy(() -> pool.submit(() -> "later"))
                    .isInstanceOf(BrokenThreadPool.class)
                    .hasMessageContaining("repeated-fault_1")
                    .hasMessageContaining("as did the worker it replaced (repeated-fault_0)")
                    .hasMessageContaining("repeats")
                    .hasMessageContaining(ThreadDeath.class.getName());
            assertThat(findThread("repeated-fault_2")).as("no third worker was started").isNull();
        } finally {
            pool.shutdown(false, true);
        }
        assertThat(pool.awaitTermination(LIMIT)).as("the broken pool still terminates").isTrue();
    }

    /** A replacement that ran a call before it failed is replaced again: only a fault that repeats at once breaks. */
    @Test
    void replacementThatServedIsReplacedAgain() throws Exception {
        assumeTrue(Runtime.version().feature() < 20, "Thread.stop() works only before JDK 20");
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "served-fault");
        try {
            stopWhenIdle(pool.submit(Thread::currentThread).result(LIMIT));
            Thread second = pool.submit(Thread::currentThread).result(LIMIT);
            assertThat(second.getName()).isEqualTo("served-fault_1");
            stopWhenIdle(second);
            assertThat(pool.submit(() -> Thread.currentThread().getName()).result(LIMIT)).isEqualTo("served-fault_2");
            assertThat(pool.snapshot().state()).isEqualTo(ExecutorSnapshot.RUNNING);
        } finally {
            pool.shutdown(false, true);
        }
        assertThat(pool.awaitTermination(LIMIT)).isTrue();
    }

    /** Waits until {@code t} is parked (an idle worker), then stops it; bounded by {@link #LIMIT}. */
    static void stopWhenIdle(Thread t) throws Exception {
        Blocking.awaitWaiting(t);
        Thread.class.getMethod("stop").invoke(t);
        t.join(LIMIT.toMillis());
        assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
    }

    static Thread awaitThread(String name) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        Thread t;
        while ((t = findThread(name)) == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(t).as("thread " + name + " started").isNotNull();
        return t;
    }

    static Thread findThread(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name) && t.isAlive()) {
                return t;
            }
        }
        return null;
    }
}
