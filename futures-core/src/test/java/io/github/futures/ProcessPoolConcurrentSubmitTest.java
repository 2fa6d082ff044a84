package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Submitting never waits for the pool's lock: calls go on a lock-free queue that the lock's holder
 * moves on. These tests submit from several threads at once, alone and racing with shutdown, and
 * check that no call is lost or left pending.
 */
@Timeout(120)
class ProcessPoolConcurrentSubmitTest {

    private static final int SUBMITTERS = 4;

    private static SerializableCallable<Integer> echo(int n) {
        return () -> n;
    }

    /** Calls submitted from four threads at once all run, each with its own result. */
    @Test
    void callsFromConcurrentSubmittersAllRun() throws InterruptedException {
        int perThread = 2_000;
        try (ProcessPoolExecutor pool = new ProcessPoolExecutor(2)) {
            List<List<Future<Integer>>> futures = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < SUBMITTERS; t++) {
                List<Future<Integer>> mine = new ArrayList<>();
                futures.add(mine);
                int base = t * perThread;
                threads.add(start(() -> {
                    await(go);
                    for (int i = 0; i < perThread; i++) {
                        mine.add(pool.submit(echo(base + i)));
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            for (int t = 0; t < SUBMITTERS; t++) {
                List<Future<Integer>> mine = futures.get(t);
                assertThat(mine).hasSize(perThread);
                for (int i = 0; i < perThread; i++) {
                    assertThat(mine.get(i).result()).isEqualTo(t * perThread + i);
                }
            }
            assertThat(pool.snapshot().succeeded()).isEqualTo((long) SUBMITTERS * perThread);
        }
    }

    /**
     * A submit returns while another thread holds the pool's lock (it does not wait for it), and the
     * call it queued is dispatched when that thread lets the lock go.
     */
    @Test
    void submitDoesNotWaitForTheLockAndItsCallMovesOnWhenTheLockIsReleased() throws Exception {
        ProcessPool pool = ProcessPool.create(new ProcessPoolConfig(1, null, 0, null,
                List.of(), true, java.util.Map.of(), null, 1 << 20,
                System.getProperty("java.class.path"), getClass().getClassLoader()));
        try {
            assertThat(pool.submit(echo(1), null).result()).isEqualTo(1); // the worker is up
            pool.lock.lock();
            java.util.concurrent.CompletableFuture<Future<Integer>> submitted = new java.util.concurrent.CompletableFuture<>();
            Thread submitter = start(() -> submitted.complete(pool.submit(echo(2), null)));
            Future<Integer> f;
            try {
                f = submitted.get(30, java.util.concurrent.TimeUnit.SECONDS); // returned with the lock held
                assertThat(f.done()).isFalse();
            } finally {
                pool.unlock();
            }
            submitter.join();
            assertThat(f.result(java.time.Duration.ofSeconds(30))).isEqualTo(2);
        } finally {
            pool.shutdown(true, true);
        }
    }

    /**
     * Four threads each run round trips (submit, then wait for the result), so submits often arrive
     * while a reader thread holds the lock to complete another thread's call: a call queued then
     * must still be moved on when the lock is released, or its caller waits for ever.
     */
    @Test
    void roundTripsFromConcurrentCallersAllComplete() throws InterruptedException {
        int perThread = 3_000;
        try (ProcessPoolExecutor pool = new ProcessPoolExecutor(2)) {
            AtomicInteger wrong = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < SUBMITTERS; t++) {
                int base = t * perThread;
                threads.add(start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        if (pool.submit(echo(base + i)).result() != base + i) {
                            wrong.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(wrong.get()).isZero();
            assertThat(pool.snapshot().succeeded()).isEqualTo((long) SUBMITTERS * perThread);
        }
    }

    /**
     * Four threads submit until the pool refuses; meanwhile it is shut down. Every submit either
     * throws {@link RejectedExecutionException} or returns a future that shutdown(wait) lets end:
     * with a result, or cancelled when cancelFutures is set. Nothing is left pending.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void submitsRacingShutdownAreRefusedOrEnd(boolean cancelFutures) throws InterruptedException {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        ConcurrentLinkedQueue<Future<Integer>> accepted = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(SUBMITTERS * 200);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < SUBMITTERS; t++) {
            int base = t * 1_000_000;
            threads.add(start(() -> {
                for (int i = 0; ; i++) {
                    try {
                        accepted.add(pool.submit(echo(base + i)));
                    } catch (RejectedExecutionException e) {
                        refused.incrementAndGet();
                        return;
                    }
                    enough.countDown();
                }
            }));
        }
        enough.await();
        pool.shutdown(true, cancelFutures);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(refused.get()).isEqualTo(SUBMITTERS);
        long succeeded = 0;
        long cancelled = 0;
        for (Future<Integer> f : accepted) {
            assertThat(f.done()).as("every accepted call ended by the time shutdown(wait) returned").isTrue();
            if (f.cancelled()) {
                cancelled++;
            } else {
                assertThat(f.exception()).isNull();
                succeeded++;
            }
        }
        if (!cancelFutures) {
            assertThat(cancelled).isZero();
        }
        assertThat(succeeded + cancelled).isEqualTo(accepted.size());
        assertThat(pool.snapshot().submitted()).isEqualTo(accepted.size());
    }

    private static Thread start(Runnable body) {
        Thread t = new Thread(body, "submitter");
        t.start();
        return t;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
