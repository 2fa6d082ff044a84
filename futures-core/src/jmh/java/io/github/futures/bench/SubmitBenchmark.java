package io.github.futures.bench;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
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
 * Throughput: submit 100 000 no-op calls, then wait for all of them (each future's result in turn).
 * One operation is the whole batch; calls per second = 100 000 / score. Run against
 * {@code io.github.futures.ThreadPoolExecutor} ({@code impl=futures}), a fixed
 * {@code java.util.concurrent.ThreadPoolExecutor} ({@code jdk}) and Spring's
 * {@code ThreadPoolTaskExecutor} ({@code spring}), each with {@code workers} threads.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="SubmitBenchmark"
 * taskset -c 0 ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="SubmitBenchmark"   # pinned
 * </pre>
 * Target: ours at least 0.9 x the JDK's throughput (score at most 1.11 x the JDK's time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SubmitBenchmark extends PeerPoolState {

    /** Calls per operation. */
    public static final int CALLS = 100_000;

    private final Future<?>[] ours = new Future<?>[CALLS];
    private final java.util.concurrent.Future<?>[] theirs = new java.util.concurrent.Future<?>[CALLS];

    /** Starts the pool under test. */
    @Setup
    public void setUp() {
        startPool();
    }

    /**
     * Submits 100 000 no-op calls, then waits for all.
     *
     * @return the number of calls
     */
    @Benchmark
    public int submitThenWaitAll() {
        return pool != null
                ? Workloads.submitThenWaitAll(pool, ours, CALLS)
                : Workloads.submitThenWaitAll(peer, theirs, CALLS);
    }
}
