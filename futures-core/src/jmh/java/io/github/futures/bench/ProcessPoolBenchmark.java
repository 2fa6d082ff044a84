package io.github.futures.bench;

import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.ProcessPoolExecutor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A warm {@link ProcessPoolExecutor} of 2 workers (both started and used before measuring):
 * {@link #roundTrip} submits one tiny call and waits for its result ({@link #roundTripWithCallback}: for
 * a done callback of its future); {@link #tinyTasks} submits
 * 10 000 tiny calls, then waits for each (the score is per call; multiply by 10 000 for the batch).
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="ProcessPoolBenchmark"
 * </pre>
 * Targets: round trip at most 20 us; tiny tasks at least 10 x CPython's ProcessPoolExecutor
 * (see {@code src/jmh/python/cpython_bench.py}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProcessPoolBenchmark {

    /** Tiny calls per {@link #tinyTasks} operation. */
    public static final int TINY = 10_000;

    /** Worker processes. */
    @Param("2")
    public int workers;

    private ProcessPoolExecutor pool;
    private final Future<?>[] fs = new Future<?>[TINY];
    private List<Long> numbers;
    private int expectedPrimes;

    /** Starts the pool and warms every worker. */
    @Setup
    public void setUp() {
        numbers = ProcessTasks.seedNumbers();
        expectedPrimes = ProcessTasks.seedPrimeCount();
        pool = new ProcessPoolExecutor(workers);
        for (int i = 0; i < 1_000; i++) {
            fs[i] = pool.submit(ProcessTasks.ONE);
        }
        for (int i = 0; i < 1_000; i++) {
            Workloads.check((Integer) fs[i].result());
            fs[i] = null;
        }
    }

    /** Stops the pool. */
    @TearDown
    public void tearDown() {
        pool.shutdown(true, true);
    }

    /**
     * One submit to a warm worker and the wait for its result.
     *
     * @return the result (1)
     */
    @Benchmark
    public int roundTrip() {
        return Workloads.check(pool.submit(ProcessTasks.ONE).result());
    }

    /**
     * One submit to a warm worker, and the wait for a done callback of its future (which runs on the
     * pool's callback threads, not on the reader): the round trip of code that chains on callbacks.
     *
     * @return the result (1)
     */
    @Benchmark
    public int roundTripWithCallback() {
        java.util.concurrent.CompletableFuture<Integer> seen = new java.util.concurrent.CompletableFuture<>();
        pool.submit(ProcessTasks.ONE).addDoneCallback(f -> seen.complete((Integer) f.result()));
        return Workloads.check(seen.join());
    }

    /**
     * Submits 10 000 tiny calls, then waits for each.
     *
     * @return the number of calls
     */
    @Benchmark
    @OperationsPerInvocation(TINY)
    public int tinyTasks() {
        for (int i = 0; i < TINY; i++) {
            fs[i] = pool.submit(ProcessTasks.ONE);
        }
        for (int i = 0; i < TINY; i++) {
            Workloads.check((Integer) fs[i].result());
            fs[i] = null;
        }
        return TINY;
    }

    /**
     * The seed's {@code is_prime} map on this warm pool, chunksize 1: {@link IsPrimeBenchmark}
     * without the pool's start and shutdown, to tell the cost of the work from the cost of
     * starting worker JVMs.
     *
     * @return the number of primes found
     */
    @Benchmark
    public int seedMapWarmChunksize1() {
        return seedMap(1);
    }

    /**
     * As {@link #seedMapWarmChunksize1()} with chunksize 20.
     *
     * @return the number of primes found
     */
    @Benchmark
    public int seedMapWarmChunksize20() {
        return seedMap(20);
    }

    private int seedMap(int chunksize) {
        try (Stream<Boolean> results = pool.map(ProcessTasks.IS_PRIME, numbers, MapOptions.DEFAULTS.withChunksize(chunksize))) {
            return IsPrimeBenchmark.countPrimes(results, numbers.size(), expectedPrimes);
        }
    }
}
