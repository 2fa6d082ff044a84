package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several threads of one pool (its calls, its done callbacks) shut the pool down with {@code wait} at
 * the same time, or wait for its end: each waits for the pool's other work, but not for the others that
 * wait as it does, which will not end before it returns. Every such wait returns, and the pool ends.
 *
 * <p>Regression: each one waited for the others (a call of the pool that shut it down with wait waited
 * for every other call, and a callback for every other running callback), so two of them at once hung
 * for good.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrentOwnShutdownTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Waits at {@code latch} (a test's rendezvous), keeping an interrupt. */
    private static void meet(CountDownLatch latch) {
        latch.countDown();
        try {
            latch.await(LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code n} calls of a thread pool meet, then each shuts the pool down with wait, while the pool's
     * last worker runs one more call: the shutdowns return after it.
     */
    @ParameterizedTest(name = "{0} calls")
    @ValueSource(ints = {2, 3})
    void callsOfAThreadPoolShutItDownTogether(int n) throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n + 1, "own-shutdowns");
        CountDownLatch all = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger otherEnded = new AtomicInteger();
        try {
            Future<Integer> other = pool.submit(() -> {
                release.await();
                return otherEnded.incrementAndGet();
            });
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    meet(all);
                    pool.shutdown(); // wait=true
                    return otherEnded.get();
                }));
            }
            assertThat(all.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            release.countDown();
            for (Future<Integer> f : fs) {
                assertThat(f.result(LIMIT)).as("a call's own shutdown(wait=true) returned after the other call").isEqualTo(1);
            }
            assertThat(other.result(LIMIT)).isEqualTo(1);
            assertThat(pool.awaitTermination(LIMIT)).as("the pool ended").isTrue();
        } finally {
            release.countDown();
            pool.shutdown(false, true);
        }
    }

    /** Calls of a thread pool wait for its end (after a shutdown) while one more call still runs: they wait for that one. */
    @Test
    void callsOfAThreadPoolAwaitItsEndTogether() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(3, "own-waits");
        CountDownLatch all = new CountDownLatch(2);
        CountDownLatch lastReleased = new CountDownLatch(1);
        AtomicInteger lastEnded = new AtomicInteger();
        try {
            Future<Integer> last = pool.submit(() -> {
                lastReleased.await();
                return lastEnded.incrementAndGet();
            });
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                fs.add(pool.submit(() -> {
                    meet(all);
                    pool.shutdown(false, false);
                    boolean ended = pool.awaitTermination(LIMIT);
                    return ended ? lastEnded.get() : -1; // 1: it saw the other call end first
                }));
            }
            assertThat(all.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(fs.get(0).done() || fs.get(1).done()).as("a wait returned while a call still ran").isFalse();
            lastReleased.countDown();
            assertThat(last.result(LIMIT)).isEqualTo(1);
            for (Future<Integer> f : fs) {
                assertThat(f.result(LIMIT)).as("the wait returned after the running call, saying ended").isEqualTo(1);
            }
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            lastReleased.countDown();
            pool.shutdown(false, true);
        }
    }

    /**
     * A seeded random mix on a thread pool with a worker for every call (so that nothing queues behind
     * waiting workers): calls that shut the pool down with wait, that shut it down and wait for its end
     * with a limit, that only run; each with a done callback that does one of the same. Every call and
     * callback returns, every wait says ended, and the pool ends.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 2L, 3L, 4L})
    void randomOwnWaitsOnAThreadPool(long seed) throws Exception {
        java.util.Random random = new java.util.Random(seed);
        int n = 6 + random.nextInt(10);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, "own-waits-mix");
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch callbacksDone = new CountDownLatch(n);
        AtomicInteger notEnded = new AtomicInteger();
        List<Future<Integer>> fs = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int action = random.nextInt(3);
                int callbackAction = random.nextInt(3);
                long pauseMicros = random.nextInt(2_000);
                Future<Integer> f = pool.submit(() -> {
                    start.await();
                    TimeUnit.MICROSECONDS.sleep(pauseMicros); // spreads the waits out; not a synchronisation
                    ownWait(pool, action, notEnded);
                    return action;
                });
                f.addDoneCallback(done -> {
                    try {
                        ownWait(pool, callbackAction, notEnded);
                    } finally {
                        callbacksDone.countDown();
                    }
                });
                fs.add(f);
            }
            start.countDown();
            for (Future<Integer> f : fs) {
                assertThat(f.exception(LIMIT)).as("a call of the mix returned").isNull();
            }
            assertThat(callbacksDone.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("every callback returned").isTrue();
            assertThat(notEnded).as("waits that said not ended").hasValue(0);
            pool.shutdown(false, false);
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            start.countDown();
            pool.shutdown(false, true);
        }
    }

    /** 0: nothing; 1: {@code shutdown()} (wait); 2: shutdown without wait, then {@code awaitTermination(LIMIT)}. */
    private static void ownWait(ThreadPoolExecutor pool, int action, AtomicInteger notEnded) {
        if (action == 1) {
            pool.shutdown();
        } else if (action == 2) {
            pool.shutdown(false, false);
            if (!pool.awaitTermination(LIMIT)) {
                notEnded.incrementAndGet();
            }
        }
    }

    /**
     * Done callbacks of two futures of a process pool meet, then each shuts the pool down with wait, or
     * shuts it down and waits for its end: both return, the waits saying it ended (but for themselves).
     */
    @ParameterizedTest(name = "awaitTermination {0}")
    @ValueSource(booleans = {false, true})
    void callbacksOfAProcessPoolShutItDownTogether(boolean awaitTermination) throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        CountDownLatch all = new CountDownLatch(2);
        CountDownLatch returned = new CountDownLatch(2);
        AtomicInteger saidEnded = new AtomicInteger();
        Gate added = Gate.create(); // the calls end after their callbacks are added: they run in the pool
        try {
            for (int i = 0; i < 2; i++) {
                int v = i;
                pool.submit(Tasks.awaitThenReturn(null, added, v)).addDoneCallback(f -> {
                    meet(all);
                    if (awaitTermination) {
                        pool.shutdown(false, false);
                        if (pool.awaitTermination(LIMIT)) {
                            saidEnded.incrementAndGet();
                        }
                    } else {
                        pool.shutdown(); // wait=true
                        saidEnded.incrementAndGet();
                    }
                    returned.countDown();
                });
            }
            added.open();
            assertThat(returned.await(LIMIT.toSeconds() + 10, TimeUnit.SECONDS)).as("both callbacks' waits returned").isTrue();
            assertThat(saidEnded).as("each wait said the pool ended but for the waiting callbacks").hasValue(2);
            assertThat(pool.awaitTermination(LIMIT)).as("the pool ended").isTrue();
        } finally {
            added.open();
            pool.killWorkers();
        }
    }

    /**
     * A process pool's callback shuts it down with wait while another callback still runs and a third
     * waits too: the two waits return only after the running one.
     */
    @Test
    void callbacksOfAProcessPoolWaitForARunningCallback() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        CountDownLatch all = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowEnded = new AtomicInteger();
        List<CompletableFuture<Integer>> seen = List.of(new CompletableFuture<>(), new CompletableFuture<>());
        Gate added = Gate.create();
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int v = i;
                fs.add(pool.submit(Tasks.awaitThenReturn(null, added, v)));
            }
            fs.get(0).addDoneCallback(f -> {
                meet(all);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slowEnded.incrementAndGet();
            });
            for (int i = 1; i < 3; i++) {
                CompletableFuture<Integer> s = seen.get(i - 1);
                fs.get(i).addDoneCallback(f -> {
                    meet(all);
                    pool.shutdown(); // wait=true
                    s.complete(slowEnded.get());
                });
            }
            added.open();
            assertThat(all.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("three callbacks run at once").isTrue();
            assertThat(seen.get(0).isDone() || seen.get(1).isDone()).as("a shutdown returned while a callback ran")
                    .isFalse();
            release.countDown();
            for (CompletableFuture<Integer> s : seen) {
                assertThat(s.get(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("returned after the running callback").isEqualTo(1);
            }
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            release.countDown();
            added.open();
            pool.killWorkers();
        }
    }
}
