package io.github.futures.bench;

import io.github.futures.MapOptions;
import io.github.futures.ProcessPoolExecutor;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The seed's {@code is_prime} example end to end, as a user runs it: start a
 * {@link ProcessPoolExecutor} of 2 workers, {@code map} {@code is_prime} over
 * {@code 10^12 .. 10^12+199} with the given chunksize, consume the results in order, and close the
 * pool (the {@code with} block). One shot per iteration, each with fresh worker JVMs.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="IsPrimeBenchmark"
 * </pre>
 * Target: faster than CPython's ProcessPoolExecutor with the fork start method
 * (see {@code src/jmh/python/cpython_bench.py}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class IsPrimeBenchmark {

    /** Items per task sent to a worker. */
    @Param({"1", "20"})
    public int chunksize;

    /** Worker processes (the seed uses the default, the CPU count: 2 on the reference machine). */
    @Param("2")
    public int workers;

    private List<Long> numbers;
    private int expectedPrimes;

    /** Makes the numbers and counts the primes among them once, here. */
    @Setup
    public void setUp() {
        numbers = ProcessTasks.seedNumbers();
        expectedPrimes = ProcessTasks.seedPrimeCount();
    }

    /**
     * The seed's example: pool start, map, results in order, pool shutdown.
     *
     * @return the number of primes found
     */
    @Benchmark
    public int seedExample() {
        try (ProcessPoolExecutor executor = new ProcessPoolExecutor(workers);
             Stream<Boolean> results = executor.map(ProcessTasks.IS_PRIME, numbers,
                     MapOptions.DEFAULTS.withChunksize(chunksize))) {
            return countPrimes(results, numbers.size(), expectedPrimes);
        }
    }

    /**
     * Consumes the seed's results in order and checks them.
     *
     * @return the number of primes found
     * @throws AssertionError if the count of results or of primes is wrong
     */
    static int countPrimes(Stream<Boolean> results, int expectedCount, int expectedPrimes) {
        int primes = 0;
        int seen = 0;
        for (Iterator<Boolean> it = results.iterator(); it.hasNext(); ) {
            if (it.next()) {
                primes++;
            }
            seen++;
        }
        if (seen != expectedCount || primes != expectedPrimes) {
            throw new AssertionError("saw " + seen + " results with " + primes + " primes, expected "
                    + expectedCount + " with " + expectedPrimes);
        }
        return primes;
    }
}
