package io.github.futures.bench;

import io.github.futures.DoneAndNotDone;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ReturnWhen;
import io.github.futures.ThreadPoolExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Wait for the first of 1 000 futures to complete, where 999 stay pending and one call is submitted
 * and completes. The 999 are real pending futures of the same kind: calls queued behind a blocked
 * one-thread pool of the same implementation. One operation submits the one call and waits.
 * Ours is {@code Futures.wait(fs, null, FIRST_COMPLETED)}; the peers use
 * {@code CompletableFuture.anyOf(...)} over their completable futures (the JDK has no
 * wait-for-first on plain futures).
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="WaitFirstCompletedBenchmark"
 * taskset -c 0 ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="WaitFirstCompletedBenchmark"   # pinned
 * </pre>
 * Target: ours at most 3 x the time of CompletableFuture.anyOf on the JDK pool.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WaitFirstCompletedBenchmark {

    /** Futures waited for per operation. */
    public static final int FUTURES = 1_000;

    /** Which pool: futures, jdk or spring. */
    @Param({Peers.FUTURES, Peers.JDK, Peers.SPRING})
    public String impl;

    /** Worker threads of the pool that runs the one call. */
    @Param("4")
    public int workers;

    private final CountDownLatch release = new CountDownLatch(1);
    private ThreadPoolExecutor pool;
    private ThreadPoolExecutor parked;
    private JucPool peer;
    private JucPool parkedPeer;
    private List<Future<Object>> ours;
    private CompletableFuture<?>[] theirs;

    /** Starts the pool under test, and a blocked one-thread pool that holds 999 pending futures. */
    @Setup
    public void setUp() {
        java.util.concurrent.Callable<Object> blocked = () -> {
            release.await();
            return null;
        };
        if (Peers.FUTURES.equals(impl)) {
            pool = new ThreadPoolExecutor(workers, "futures-bench");
            parked = new ThreadPoolExecutor(1, "futures-bench-parked");
            ours = new ArrayList<>(FUTURES);
            for (int i = 0; i < FUTURES - 1; i++) {
                ours.add(parked.submit(blocked));
            }
            ours.add(null);
        } else {
            peer = Peers.juc(impl, workers);
            parkedPeer = Peers.juc(impl, 1);
            theirs = new CompletableFuture<?>[FUTURES];
            for (int i = 0; i < FUTURES - 1; i++) {
                theirs[i] = parkedPeer.submitCompletable(blocked);
            }
        }
    }

    /** Releases the blocked pool and stops both. */
    @TearDown
    public void tearDown() {
        release.countDown();
        if (pool != null) {
            pool.shutdown(true, true);
            parked.shutdown(true, true);
        } else {
            peer.shutdownNow();
            parkedPeer.shutdownNow();
        }
    }

    /**
     * Submits one call and waits until the first of the 1 000 futures is done.
     *
     * @return the number of done futures (1)
     */
    @Benchmark
    public int waitForFirst() {
        if (pool != null) {
            Future<Object> one = pool.submit(Workloads.NOOP);
            ours.set(FUTURES - 1, one);
            DoneAndNotDone<Future<Object>> r = Futures.wait(ours, null, ReturnWhen.FIRST_COMPLETED);
            if (r.done().size() != 1 || !r.done().contains(one)) {
                throw new AssertionError("expected only the submitted future done, got " + r.done().size());
            }
            return r.done().size();
        }
        CompletableFuture<Object> one = peer.submitCompletable(Workloads.NOOP);
        theirs[FUTURES - 1] = one;
        CompletableFuture.anyOf(theirs).join();
        if (!one.isDone()) {
            throw new AssertionError("anyOf returned before the submitted future was done");
        }
        return 1;
    }
}
