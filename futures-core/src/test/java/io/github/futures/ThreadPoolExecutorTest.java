package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What is particular to ThreadPoolExecutor (CPython's test_thread_pool, test_init, test_shutdown). */
@Timeout(30)
class ThreadPoolExecutorTest {

    private final List<ThreadPoolExecutor> pools = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    /** shutdown(wait=true, cancelFutures=true), but with a limit: a pool that cannot end must fail the test, not hang it. */
    @AfterEach
    void shutDownPools() throws InterruptedException {
        release.countDown();
        pools.forEach(p -> p.shutdown(false, true));
        for (ThreadPoolExecutor p : pools) {
            assertThat(p.awaitTermination(Duration.ofSeconds(20))).as("pool terminated").isTrue();
        }
    }

    private ThreadPoolExecutor pool(int maxWorkers, String prefix) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(maxWorkers, prefix);
        pools.add(p);
        return p;
    }

    private static String uniquePrefix() {
        return "tpe-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Live threads whose names start with {@code prefix_}. */
    private static Set<String> liveThreads(String prefix) {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix + "_") && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    private void awaitRelease() throws InterruptedException {
        if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test never released its tasks");
        }
    }

    // ------------------------------------------------------------------ construction

    /** maxWorkers <= 0 is rejected by every constructor and by the builder, with a message saying so. */
    @Test
    void nonPositiveMaxWorkersIsRejected() {
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> new ThreadPoolExecutor(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWorkers").hasMessageContaining(String.valueOf(bad));
            assertThatThrownBy(() -> new ThreadPoolExecutor(bad, "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new ThreadPoolExecutor(bad, "x", () -> { })).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ThreadPoolExecutor.builder().maxWorkers(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The default maxWorkers is availableProcessors() * 5. */
    @Test
    void defaultMaxWorkersIsFiveTimesTheProcessors() {
        int expected = Runtime.getRuntime().availableProcessors() * 5;
        ThreadPoolExecutor p = new ThreadPoolExecutor();
        pools.add(p);
        assertThat(p.maxWorkers()).isEqualTo(expected);
        ThreadPoolExecutor b = ThreadPoolExecutor.builder().build();
        pools.add(b);
        assertThat(b.maxWorkers()).isEqualTo(expected);
        ThreadPoolExecutor c = ThreadPoolExecutor.builder().maxWorkers(3).threadNamePrefix("built").build();
        pools.add(c);
        assertThat(c.maxWorkers()).isEqualTo(3);
        assertThat(c.threadNamePrefix()).isEqualTo("built");
    }

    // ------------------------------------------------------------------ threads

    /** No thread exists before the first submit. */
    @Test
    void noThreadStartsBeforeTheFirstSubmit() {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(4, prefix);
        assertThat(liveThreads(prefix)).isEmpty();
        assertThat(p.submit(() -> 1).result()).isEqualTo(1);
        assertThat(liveThreads(prefix)).containsExactly(prefix + "_0");
    }

    /** An idle worker is reused: three sequential submit().result() run on one thread (CPython's test_idle_thread_reuse). */
    @Test
    void idleWorkerIsReusedBeforeANewThreadStarts() {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(4, prefix);
        Set<String> ranOn = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ranOn.add(p.submit(() -> Thread.currentThread().getName()).result());
        }
        assertThat(ranOn).containsExactly(prefix + "_0");
        assertThat(liveThreads(prefix)).containsExactly(prefix + "_0");
    }

    /** Never more than maxWorkers threads, however many calls wait; names are prefix_0 .. prefix_(n-1). */
    @Test
    void neverMoreThanMaxWorkersThreadsNamedFromZero() throws InterruptedException {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(3, prefix);
        CountDownLatch threeRunning = new CountDownLatch(3);
        Set<String> ranOn = ConcurrentHashMap.newKeySet();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            fs.add(p.submit(() -> {
                ranOn.add(Thread.currentThread().getName());
                threeRunning.countDown();
                awaitRelease();
                return n;
            }));
        }
        assertThat(threeRunning.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(liveThreads(prefix)).containsExactlyInAnyOrder(prefix + "_0", prefix + "_1", prefix + "_2");
        release.countDown();
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).result()).isEqualTo(i);
        }
        assertThat(ranOn).containsExactlyInAnyOrder(prefix + "_0", prefix + "_1", prefix + "_2");
        assertThat(liveThreads(prefix)).hasSize(3);
    }

    /** The default prefix is ThreadPoolExecutor-k, k counting the pools of this JVM. */
    @Test
    void defaultThreadNamePrefixCountsPools() {
        ThreadPoolExecutor a = new ThreadPoolExecutor(1);
        pools.add(a);
        ThreadPoolExecutor b = new ThreadPoolExecutor(1);
        pools.add(b);
        String nameA = a.submit(() -> Thread.currentThread().getName()).result();
        String nameB = b.submit(() -> Thread.currentThread().getName()).result();
        Matcher ma = Pattern.compile("ThreadPoolExecutor-(\\d+)_0").matcher(nameA);
        Matcher mb = Pattern.compile("ThreadPoolExecutor-(\\d+)_0").matcher(nameB);
        assertThat(ma.matches()).as(nameA).isTrue();
        assertThat(mb.matches()).as(nameB).isTrue();
        assertThat(Integer.parseInt(mb.group(1))).isEqualTo(Integer.parseInt(ma.group(1)) + 1);
        assertThat(a.threadNamePrefix()).isEqualTo("ThreadPoolExecutor-" + ma.group(1));
    }

    /** Worker threads are daemon threads (idle pools must not keep the JVM alive). */
    @Test
    void workersAreDaemonThreads() {
        ThreadPoolExecutor p = pool(1, uniquePrefix());
        assertThat(p.submit(() -> Thread.currentThread().isDaemon()).result()).isTrue();
    }

    /** An interrupt aimed at one call does not reach the next call on the same thread. */
    @Test
    void interruptOfOneCallDoesNotLeakIntoTheNext() {
        ThreadPoolExecutor p = pool(1, uniquePrefix());
        p.submit(() -> Thread.currentThread().interrupt()).result();
        assertThat(p.submit(() -> Thread.currentThread().isInterrupted()).result()).isFalse();
    }

    /** Many threads submitting at once: every call runs once and yields its own value. */
    @Test
    void concurrentSubmittersAllGetTheirResults() throws Exception {
        ThreadPoolExecutor p = pool(4, uniquePrefix());
        int submitters = 4;
        int perSubmitter = 2_000;
        AtomicInteger runs = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(submitters);
        List<Thread> threads = new ArrayList<>();
        List<List<Future<Integer>>> all = new CopyOnWriteArrayList<>();
        for (int s = 0; s < submitters; s++) {
            int base = s * perSubmitter;
            Thread t = new Thread(() -> {
                List<Future<Integer>> mine = new ArrayList<>();
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < perSubmitter; i++) {
                    int v = base + i;
                    mine.add(p.submit(() -> {
                        runs.incrementAndGet();
                        return v;
                    }));
                }
                all.add(mine);
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        Set<Integer> values = new HashSet<>();
        for (List<Future<Integer>> mine : all) {
            for (Future<Integer> f : mine) {
                values.add(f.result());
            }
        }
        assertThat(values).hasSize(submitters * perSubmitter);
        assertThat(runs).hasValue(submitters * perSubmitter);
    }

    /**
     * Regression: a call queued while the last worker was between taking the previous call and
     * counting it down found the count above zero, woke nobody, and stayed queued for ever with every
     * worker parked (MapBenchmark hung). Bursts of tiny calls from one thread must all complete.
     */
    @Test
    void burstsOfTinyCallsNeverStrandACallWithAllWorkersParked() {
        ThreadPoolExecutor p = pool(4, uniquePrefix());
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        int rounds = 0;
        do {
            List<Future<Integer>> fs = new ArrayList<>(20_000);
            for (int i = 0; i < 20_000; i++) {
                int v = i;
                fs.add(p.submit(() -> v + 1));
            }
            for (int i = 0; i < fs.size(); i++) {
                int round = rounds;
                int index = i;
                assertThat(fs.get(i).result(Duration.ofSeconds(10))).as("round %d call %d", round, index).isEqualTo(i + 1);
            }
            rounds++;
        } while (System.nanoTime() < stopAt && rounds < 200);
        assertThat(rounds).isPositive();
    }

    // ------------------------------------------------------------------ initializer

    /** The initializer runs once in each worker thread, before that thread's first call. */
    @Test
    void initializerRunsOncePerThreadBeforeItsFirstCall() throws InterruptedException {
        String prefix = uniquePrefix();
        List<String> initialized = new CopyOnWriteArrayList<>();
        ThreadLocal<Boolean> ready = new ThreadLocal<>();
        ThreadPoolExecutor p = new ThreadPoolExecutor(2, prefix, () -> {
            initialized.add(Thread.currentThread().getName());
            ready.set(Boolean.TRUE);
        });
        pools.add(p);
        CountDownLatch twoRunning = new CountDownLatch(2);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fs.add(p.submit(() -> {
                twoRunning.countDown();
                awaitRelease();
                return ready.get() == Boolean.TRUE;
            }));
        }
        assertThat(twoRunning.await(20, TimeUnit.SECONDS)).isTrue();
        release.countDown();
        assertThat(fs).allMatch(Future::result);
        assertThat(initialized).containsExactlyInAnyOrder(prefix + "_0", prefix + "_1");
    }

    /** A failing initializer breaks the pool: pending futures and later submits fail with BrokenThreadPool. */
    @Test
    void failingInitializerBreaksThePoolWithBrokenThreadPool() {
        IllegalStateException cause = new IllegalStateException("no database");
        ThreadPoolExecutor p = new ThreadPoolExecutor(1, uniquePrefix(), () -> {
            throw cause;
        });
        pools.add(p);
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            try {
                fs.add(p.submit(() -> n));
            } catch (BrokenThreadPool alreadyBroken) {
                break;
            }
        }
        assertThat(fs).isNotEmpty();
        for (Future<Integer> f : fs) {
            assertThatThrownBy(f::result).isExactlyInstanceOf(BrokenThreadPool.class)
                    .hasMessageContaining("initializer")
                    .hasCause(cause);
        }
        assertThat(p.isBroken()).isTrue();
        assertThatThrownBy(() -> p.submit(() -> 1)).isExactlyInstanceOf(BrokenThreadPool.class)
                .hasMessageContaining("no database");
        p.shutdown(true, false); // a broken pool still shuts down
    }

    // ------------------------------------------------------------------ shutdown

    /** A call that shuts its own pool down with wait=true does not deadlock; queued calls still run. */
    @Test
    void shutdownWithWaitFromInsideATaskDoesNotDeadlock() {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(2, prefix);
        AtomicReference<ThreadPoolExecutor> self = new AtomicReference<>(p);
        Future<String> shutter = p.submit(() -> {
            self.get().shutdown(true, false);
            return "shut down from " + Thread.currentThread().getName();
        });
        assertThat(shutter.result()).startsWith("shut down from " + prefix);
        assertThatThrownBy(() -> p.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(p.awaitTermination(Duration.ofSeconds(20))).isTrue();
        assertThat(liveThreads(prefix)).isEmpty();
    }

    /**
     * The same from a worker that ran other calls just before, without parking in between (a worker
     * releases its ended calls' units together; one waiting for its own pool must release them first).
     */
    @Test
    void shutdownWithWaitFromInsideATaskAfterEarlierCallsDoesNotDeadlock() throws InterruptedException {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(1, prefix);
        CountDownLatch gate = new CountDownLatch(1);
        Future<Boolean> gated = p.submit(() -> gate.await(20, TimeUnit.SECONDS));
        List<Future<Integer>> earlier = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            earlier.add(p.submit(() -> n));
        }
        Future<Boolean> shutter = p.submit(() -> {
            p.shutdown(true, false);
            return true;
        });
        gate.countDown();
        assertThat(shutter.result(Duration.ofSeconds(20))).isTrue();
        assertThat(gated.result()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(earlier.get(i).result()).isEqualTo(i);
        }
        assertThat(p.awaitTermination(Duration.ofSeconds(20))).isTrue();
    }

    /** A call shutting its pool down while other calls run waits for them, then returns. */
    @Test
    void shutdownFromInsideATaskWaitsForTheOtherCalls() throws InterruptedException {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(2, prefix);
        CountDownLatch otherRunning = new CountDownLatch(1);
        Future<Integer> other = p.submit(() -> {
            otherRunning.countDown();
            awaitRelease();
            return 1;
        });
        assertThat(otherRunning.await(20, TimeUnit.SECONDS)).isTrue();
        Future<Boolean> shutter = p.submit(() -> {
            p.shutdown(true, false);
            return other.done();
        });
        assertThat(Futures.wait(List.of(shutter), Duration.ofMillis(200)).notDone())
                .as("shutdown returned while the other call still ran").containsExactly(shutter);
        release.countDown();
        assertThat(shutter.result()).as("the other call was done when shutdown returned").isTrue();
    }

    /** shutdown(true, true) cancels every queued call and waits for the running one. */
    @Test
    void shutdownWithCancelFuturesCancelsQueuedCalls() throws InterruptedException {
        ThreadPoolExecutor p = pool(1, uniquePrefix());
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Future<Integer> first = p.submit(() -> {
            running.countDown();
            awaitRelease();
            return 1;
        });
        assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(p.submit(ran::incrementAndGet));
        }
        p.shutdown(false, true);
        assertThat(queued).allMatch(Future::cancelled);
        release.countDown();
        p.shutdown(true, true);
        assertThat(first.result()).isEqualTo(1);
        assertThat(ran).hasValue(0);
    }

    /** After shutdown(true, ...) no thread of the pool is alive. */
    @Test
    void noPoolThreadSurvivesShutdownWithWait() throws InterruptedException {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(4, prefix);
        CountDownLatch allRunning = new CountDownLatch(4);
        for (int i = 0; i < 8; i++) {
            p.submit(() -> {
                allRunning.countDown();
                awaitRelease();
                return null;
            });
        }
        assertThat(allRunning.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(liveThreads(prefix)).hasSize(4);
        release.countDown();
        p.shutdown(true, false);
        assertThat(liveThreads(prefix)).isEmpty();
    }

    /** After shutdown(false, ...) the threads end on their own once the work is done. */
    @Test
    void threadsEndAfterShutdownWithoutWait() {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(3, prefix);
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            fs.add(p.submit(() -> n));
        }
        p.shutdown(false, false);
        assertThat(p.isShutdown()).isTrue();
        assertThat(p.awaitTermination(Duration.ofSeconds(20))).isTrue();
        assertThat(liveThreads(prefix)).isEmpty();
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).result()).isEqualTo(i);
        }
    }

    /** awaitTermination before shutdown is a usage error. */
    @Test
    void awaitTerminationNeedsShutdownFirst() {
        ThreadPoolExecutor p = pool(1, uniquePrefix());
        assertThatThrownBy(() -> p.awaitTermination(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ Terminable

    /** abort cancels the queued calls, interrupts the running one, and returns true once the pool ended. */
    @Test
    void abortCancelsQueuedCallsInterruptsRunningOnesAndEnds() throws InterruptedException {
        String prefix = uniquePrefix();
        ThreadPoolExecutor p = pool(1, prefix);
        io.github.futures.spi.Terminable terminable = p;
        CountDownLatch running = new CountDownLatch(1);
        Future<Object> busy = p.submit(() -> {
            running.countDown();
            awaitRelease();
            return "not interrupted";
        });
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(p.submit(() -> 1));
        }
        assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
        p.shutdown(false, false);
        assertThat(terminable.abort(Duration.ofSeconds(20))).isTrue();
        assertThat(busy.exception(Duration.ZERO)).isInstanceOf(InterruptedException.class);
        assertThat(queued).allMatch(Future::cancelled);
        assertThat(liveThreads(prefix)).isEmpty();
    }

    /** abort returns false after its grace when a call ignores interrupts; the pool still ends later. */
    @Test
    void abortReturnsFalseWhileACallIgnoresInterrupts() throws InterruptedException {
        ThreadPoolExecutor p = pool(1, uniquePrefix());
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger interrupts = new AtomicInteger();
        Future<String> stubborn = p.submit(() -> {
            running.countDown();
            for (;;) {
                try {
                    awaitRelease();
                    return "ran to its end";
                } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                }
            }
        });
        assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
        p.shutdown(false, false);
        assertThat(p.abort(Duration.ofMillis(50))).isFalse();
        release.countDown();
        assertThat(p.awaitTermination(null)).isTrue();
        assertThat(stubborn.result()).isEqualTo("ran to its end");
        assertThat(interrupts).as("interrupts the call saw").hasValue(1);
    }

    /** abort before shutdown is a usage error, as awaitTermination. */
    @Test
    void abortNeedsShutdownFirst() {
        ThreadPoolExecutor p = pool(1, uniquePrefix());
        assertThatThrownBy(() -> p.abort(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shutdown");
        assertThat(p.submit(() -> 1).result()).isEqualTo(1);
    }
}
