package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A process pool tells every call's scope of its end exactly once, and of its start at most once and
 * before the end, on every terminal path: a result, an exception, a cancel before the start, cancel(true)
 * killing the worker, a call timeout, a worker's death under both policies, calls sent ahead and revoked,
 * a cancelling shutdown racing the submits, and a refused submit.
 */
@Timeout(240)
class ProcessPoolCallScopeEndsTest {

    /** A call that blocks until its worker is ended. */
    private static SerializableCallable<Integer> blocksForever() {
        return () -> {
            new CountDownLatch(1).await();
            return -1;
        };
    }

    /** A call that ends its worker JVM at once, as a crash would. */
    private static SerializableCallable<Integer> killsItsWorker() {
        return () -> {
            Runtime.getRuntime().halt(3);
            return -1;
        };
    }

    /**
     * Calls with random outcomes from two submitters while a cancelling shutdown races them: every scope
     * ends exactly once, never starts twice nor after its end.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(WorkerDeathPolicy.class)
    void everyScopeEndsExactlyOnceWhateverTheOutcome(WorkerDeathPolicy policy) throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        ic.remote = Map.of("requestId", "r");
        ProcessPoolExecutor p = ProcessPoolExecutor.builder().maxWorkers(2).onWorkerDeath(policy)
                .callTimeout(Duration.ofSeconds(1)).callInterceptor(ic).build();
        int perThread = 20;
        CountDownLatch half = new CountDownLatch(2);
        java.util.concurrent.ConcurrentLinkedQueue<Future<Integer>> futures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            long seed = 7L + t + policy.ordinal() * 10L;
            Thread th = new Thread(() -> {
                Random rnd = new Random(seed);
                for (int i = 0; i < perThread; i++) {
                    if (i == perThread / 2) {
                        half.countDown();
                    }
                    int kind = rnd.nextInt(7);
                    Future<Integer> f;
                    try {
                        f = p.submit(switch (kind) {
                            case 1 -> (SerializableCallable<Integer>) () -> {
                                throw new IllegalStateException("fails");
                            };
                            case 3, 5 -> blocksForever(); // 3: cancel(true) ends it; 5: its call timeout does
                            case 4 -> i % 4 == 0 ? killsItsWorker() : (SerializableCallable<Integer>) () -> 4;
                            default -> (SerializableCallable<Integer>) () -> 0;
                        });
                    } catch (RejectedExecutionException | BrokenExecutor refused) {
                        continue; // shut down or broken: its scope was ended with the refusal
                    }
                    if (kind == 2) {
                        f.cancel();
                    } else if (kind == 3) {
                        f.cancel(true);
                    } else if (kind == 6) {
                        try {
                            f.exception(); // wait for it: later calls are then sent to a worker with a free slot
                        } catch (CancelledError cancelledByTheShutdown) {
                            // cancelled by the racing shutdown: ended as well
                        }
                    }
                    futures.add(f);
                }
            });
            threads.add(th);
            th.start();
        }
        half.await();
        p.shutdown(false, true);
        for (Thread th : threads) {
            th.join();
        }
        assertThat(p.awaitTermination(Duration.ofSeconds(120))).isTrue();
        List<Future<Integer>> incomplete = new ArrayList<>();
        for (Future<Integer> f : futures) {
            if (!f.done()) {
                incomplete.add(f);
            }
        }
        assertThat(incomplete).as("every accepted future is done once the pool terminated").isEmpty();
        assertThat(ic.awaitEnds(ic.scopes.size(), 60_000L)).isTrue();
        assertThat(ic.scopes).isNotEmpty();
        assertThat(ic.faults()).as("every scope ended once, started at most once and not after its end").isEmpty();
    }

    /** Calls sent ahead to a busy worker and revoked, then run elsewhere, are started once and ended once. */
    @Test
    void revokedCallsSentAheadAreStartedOnceAndEndedOnce() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        ic.remote = Map.of("requestId", "r");
        try (ProcessPoolExecutor p = ProcessPoolExecutor.builder().maxWorkers(2).callInterceptor(ic).build()) {
            p.prestartWorkers();
            Future<Integer> busy = p.submit(blocksForever());
            List<Future<Integer>> quick = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                quick.add(p.submit((SerializableCallable<Integer>) () -> n));
            }
            for (int i = 0; i < quick.size(); i++) {
                assertThat(quick.get(i).result()).isEqualTo(i);
            }
            assertThat(busy.cancel(true)).isTrue();
            ic.awaitEnds(9);
        }
        assertThat(ic.faults()).isEmpty();
        assertThat(ic.scopes).allSatisfy(r -> assertThat(r.startedCount).hasValue(1));
    }

    /** A worker's death under BREAK_POOL ends the scope of every call it takes down, and of later refused submits. */
    @Test
    void brokenPoolEndsEveryScope() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        try (ProcessPoolExecutor p = ProcessPoolExecutor.builder().maxWorkers(1).callInterceptor(ic).build()) {
            Future<Integer> dies = p.submit(killsItsWorker());
            Future<Integer> queued = p.submit((SerializableCallable<Integer>) () -> 1);
            assertThat(dies.exception()).isInstanceOf(BrokenProcessPool.class);
            assertThat(queued.exception()).isInstanceOf(BrokenProcessPool.class);
            assertThatThrownBy(() -> p.submit((SerializableCallable<Integer>) () -> 2)).isInstanceOf(BrokenProcessPool.class);
            ic.awaitEnds(3);
            List<RecordingInterceptor.Recorded> scopes = new ArrayList<>(ic.scopes);
            assertThat(scopes.get(0).failure).isInstanceOf(BrokenProcessPool.class);
            assertThat(scopes.get(2).failure).isInstanceOf(BrokenProcessPool.class);
            assertThat(scopes.get(2).startedCount).hasValue(0);
        }
        assertThat(ic.faults()).isEmpty();
    }
}
