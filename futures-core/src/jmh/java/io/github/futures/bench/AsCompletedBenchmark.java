package io.github.futures.bench;

import io.github.futures.Future;
import io.github.futures.Futures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Submit 10 000 tiny calls and take their results in completion order. Ours is
 * {@code Futures.asCompleted(futures)}; the peers use {@link ExecutorCompletionService} over the pool
 * (its {@code submit}, then {@code take()} 10 000 times), the JDK's tool for the same job.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="AsCompletedBenchmark"
 * taskset -c 0 ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="AsCompletedBenchmark"   # pinned
 * </pre>
 * Target: ours at most 1.5 x the time of ExecutorCompletionService on the JDK pool.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AsCompletedBenchmark extends PeerPoolState {

    /** Futures per operation. */
    public static final int FUTURES = 10_000;

    private long expectedSum;

    /** Starts the pool under test. */
    @Setup
    public void setUp() {
        for (int i = 0; i < FUTURES; i++) {
            expectedSum += i;
        }
        startPool();
    }

    /**
     * Submits the calls and sums their results in completion order.
     *
     * @return the sum
     */
    @Benchmark
    public long takeInCompletionOrder() {
        long sum = 0;
        if (pool != null) {
            List<Future<Integer>> fs = new ArrayList<>(FUTURES);
            for (int i = 0; i < FUTURES; i++) {
                Integer x = i;
                fs.add(pool.submit(() -> x));
            }
            int seen = 0;
            for (Future<Integer> f : Futures.asCompleted(fs)) {
                sum += f.result();
                seen++;
            }
            if (seen != FUTURES) {
                throw new AssertionError("asCompleted yielded " + seen + " futures, expected " + FUTURES);
            }
        } else {
            ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(peer.executor());
            for (int i = 0; i < FUTURES; i++) {
                Integer x = i;
                ecs.submit(() -> x);
            }
            try {
                for (int i = 0; i < FUTURES; i++) {
                    sum += Workloads.get(ecs.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (sum != expectedSum) {
            throw new AssertionError("sum of results " + sum + ", expected " + expectedSum);
        }
        return sum;
    }
}
