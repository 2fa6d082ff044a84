package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Tasks;
import io.github.futures.process.WorkerProcess;
import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Done callbacks of a process pool's futures that wait: for a follow-up call they submitted to the same
 * pool, on a stage of another of its futures, on something that never comes. A reader thread completes
 * the futures of its worker; a callback must not hold up the results that reader would read next.
 *
 * <p>Regression: callbacks ran in the reader thread, so a callback that submitted a follow-up call and
 * waited for it hung for good with any number of workers (the follow-up went to the worker just freed,
 * whose reader was the one waiting), and one callback that never returned stopped every later result of
 * its worker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessCallbackWaitsTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** A callback submits a follow-up call to its own pool and waits for its result. */
    @ParameterizedTest(name = "max workers {0}")
    @ValueSource(ints = {1, 2})
    void callbackWaitsForAFollowUpCall(int maxWorkers) throws Exception {
        try (ProcessPoolExecutor pool = new ProcessPoolExecutor(maxWorkers)) {
            CompletableFuture<Object> got = new CompletableFuture<>();
            Future<Integer> first = pool.submit((SerializableCallable<Integer>) () -> 1);
            first.addDoneCallback(f -> {
                try {
                    int v = f.result();
                    Future<Integer> next = pool.submit((SerializableCallable<Integer>) () -> v + 1);
                    got.complete(next.result(LIMIT));
                } catch (Throwable t) {
                    got.complete(t);
                }
            });
            assertThat(got.get(LIMIT.toSeconds() + 10, TimeUnit.SECONDS))
                    .as("the follow-up's result reached the callback waiting for it").isEqualTo(2);
        }
    }

    /** A callback joins the CompletableFuture view of a later call of the same pool (stages complete in callbacks too). */
    @Test
    void callbackJoinsAStageOfTheSamePool() throws Exception {
        try (ProcessPoolExecutor pool = new ProcessPoolExecutor(1)) {
            CompletableFuture<Object> got = new CompletableFuture<>();
            Future<Integer> first = pool.submit((SerializableCallable<Integer>) () -> 20);
            first.addDoneCallback(f -> {
                try {
                    CompletableFuture<Integer> stage = pool.submit((SerializableCallable<Integer>) () -> 22)
                            .toCompletableFuture();
                    got.complete(f.result() + stage.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
                } catch (Throwable t) {
                    got.complete(t);
                }
            });
            assertThat(got.get(LIMIT.toSeconds() + 10, TimeUnit.SECONDS)).isEqualTo(42);
        }
    }

    /**
     * More callbacks block at once than the pool keeps callback threads for: every future still completes
     * and later calls still return; the blocked callbacks and those queued behind them all run once
     * released; a wait for the pool's end returns only after them.
     */
    @Test
    void blockedCallbacksHoldUpNoResult() throws Exception {
        int n = 80; // more than the pool's callback threads (64)
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(n);
        AtomicInteger ran = new AtomicInteger();
        // No call ends before every callback is added: a callback added to a done future runs in the adding
        // thread, which would then block on the release it is the one to give.
        Gate added = Gate.create();
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int v = i;
                Future<Integer> f = pool.submit(Tasks.awaitThenReturn(null, added, v));
                f.addDoneCallback(done -> {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ran.incrementAndGet();
                });
                fs.add(f);
            }
            added.open();
            for (int i = 0; i < n; i++) {
                assertThat(fs.get(i).result(LIMIT)).as("result %d while callbacks block", i).isEqualTo(i);
            }
            assertThat(pool.submit((SerializableCallable<String>) () -> "later").result(LIMIT)).isEqualTo("later");
            assertThat(ran).as("no blocked callback returned before its release").hasValue(0);
            assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("-callbacks-")))
                    .as("callback threads are bounded").hasSizeBetween(1, 64);
            release.countDown();
            assertThat(entered.await(LIMIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the callbacks queued behind the blocked ones ran too").isTrue();
        } finally {
            added.open();
            release.countDown();
            pool.shutdown(true, false);
        }
        assertThat(ran).as("shutdown(wait=true) returned after every callback had run").hasValue(n);
    }

    /**
     * A seeded random mix of callbacks (nothing; submit a follow-up and wait for it; join the stage of an
     * earlier call; cancel another call; wait for a few others) while another thread shuts the pool down
     * midway, cancelling or not: the shutdown returns, every future (follow-ups included) ends once,
     * every callback runs once, and no callback's wait runs into its limit.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 2L, 3L})
    void randomCallbacksWithAShutdownMidway(long seed) throws Exception {
        java.util.Random random = new java.util.Random(seed);
        int n = 120;
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        List<Future<Integer>> fs = new CopyOnWriteArrayList<>();
        List<Future<Integer>> followUps = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicIntegerArray calls = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        CountDownLatch allRan = new CountDownLatch(n);
        List<String> problems = new CopyOnWriteArrayList<>();
        Thread shutdown = new Thread(() -> pool.shutdown(true, random.nextBoolean()), "callbacks-shutdown");
        try {
            for (int i = 0; i < n; i++) {
                int index = i;
                int action = random.nextInt(5);
                int other = random.nextInt(Math.max(1, i));
                Future<Integer> f = pool.submit((SerializableCallable<Integer>) () -> index);
                fs.add(f);
                f.addDoneCallback(done -> {
                    try {
                        switch (action) {
                            case 1 -> {
                                Future<Integer> next = pool.submit((SerializableCallable<Integer>) () -> -index);
                                followUps.add(next);
                                next.exception(LIMIT); // returns once it ended, whichever way
                            }
                            case 2 -> fs.get(other).toCompletableFuture().handle((v, t) -> v)
                                    .get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                            case 3 -> fs.get(other).cancel();
                            case 4 -> {
                                if (!io.github.futures.Futures.wait(fs.subList(0, other + 1), LIMIT).notDone().isEmpty()) {
                                    problems.add(index + ": wait ran into its limit");
                                }
                            }
                            default -> {
                            }
                        }
                    } catch (java.util.concurrent.RejectedExecutionException | io.github.futures.BrokenProcessPool refused) {
                        // a follow-up submitted after the shutdown: refused, as it must be
                    } catch (io.github.futures.TimeoutError | java.util.concurrent.TimeoutException e) {
                        problems.add(index + ": " + e);
                    } catch (Throwable t) {
                        problems.add(index + ": " + t);
                    } finally {
                        calls.incrementAndGet(index);
                        allRan.countDown();
                    }
                });
                if (i == n / 2) {
                    shutdown.start();
                }
            }
        } catch (java.util.concurrent.RejectedExecutionException refused) {
            // submits after the shutdown began
        }
        shutdown.join(LIMIT.toMillis() * 2);
        assertThat(shutdown.isAlive()).as("shutdown(wait=true) returned").isFalse();
        long ranAtShutdown = n - allRan.getCount();
        try {
            assertThat(ranAtShutdown).as("callbacks run when shutdown returned, of %d submitted", fs.size())
                    .isEqualTo(fs.size());
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).done()).as("future %d done", i).isTrue();
                assertThat(calls.get(i)).as("callbacks of future %d", i).isEqualTo(1);
            }
            for (Future<Integer> f : followUps) {
                assertThat(f.done()).as("follow-up done").isTrue();
            }
            assertThat(problems).isEmpty();
        } finally {
            pool.killWorkers();
        }
    }

    /** While a callback blocks, the pool does not count as terminated even once its workers have ended. */
    @Test
    void poolEndsOnlyAfterItsCallbacks() throws Exception {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).threadNamePrefix("ends-after-callbacks").build();
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        Gate added = Gate.create(); // the call ends after the callback is added, so that it runs in the pool
        try {
            Future<Integer> f = pool.submit(Tasks.awaitThenReturn(null, added, 7));
            f.addDoneCallback(done -> {
                inCallback.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            added.open();
            assertThat(inCallback.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(f.result(LIMIT)).isEqualTo(7);
            Thread reader = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t instanceof WorkerProcess.ReaderThread && t.getName().startsWith("ends-after-callbacks-"))
                    .findFirst().orElseThrow();
            pool.shutdown(false, false);
            reader.join(LIMIT.toMillis()); // its worker ended and the pool has let go of it
            assertThat(reader.isAlive()).as("the worker's reader ended").isFalse();
            assertThat(pool.awaitTermination(Duration.ZERO)).as("terminated while a callback runs").isFalse();
            assertThat(events).noneMatch(e -> e.type() == PoolEvent.Type.TERMINATED);
            release.countDown();
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            added.open();
            release.countDown();
            pool.killWorkers();
        }
    }

    /**
     * A future's callbacks run in the order added, on one thread that is not the reader; one that
     * shuts its own pool down with wait returns; a future cancelled by its owner runs them in the owner's thread.
     */
    @Test
    void callbacksRunInOrderOnOneThread() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        Gate gate = Gate.create();
        try {
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            // The gate opens once the callbacks below are added.
            Future<Integer> f = pool.submit(Tasks.awaitThenReturn(null, gate, 1));
            Future<Integer> queued = pool.submit((SerializableCallable<Integer>) () -> 2);
            Future<Integer> cancelled = pool.submit((SerializableCallable<Integer>) () -> 3);
            for (int i = 0; i < 5; i++) {
                int k = i;
                f.addDoneCallback(x -> seen.add(k + "@" + Thread.currentThread().getName()));
            }
            f.addDoneCallback(x -> {
                pool.shutdown(); // wait=true, from a thread of the pool's own: must not wait for itself
                seen.add("shutdown returned");
                done.countDown();
            });
            AtomicInteger cancelThread = new AtomicInteger();
            Thread me = Thread.currentThread();
            cancelled.addDoneCallback(x -> cancelThread.set(Thread.currentThread() == me ? 1 : 2));
            boolean wasCancelled = cancelled.cancel(); // queued behind two calls (or already sent ahead)
            gate.open();
            assertThat(done.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(seen).hasSize(6);
            String thread = seen.get(0).substring(2);
            for (int i = 0; i < 5; i++) {
                assertThat(seen.get(i)).isEqualTo(i + "@" + thread);
            }
            assertThat(seen.get(5)).isEqualTo("shutdown returned");
            assertThat(thread).as("a callback thread, not the reader").contains("-callbacks-");
            assertThat(queued.result(LIMIT)).isEqualTo(2);
            if (wasCancelled) {
                assertThat(cancelThread).as("cancelled by its owner: callbacks in the owner's thread").hasValue(1);
            }
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            gate.open();
            pool.killWorkers();
        }
    }
}
