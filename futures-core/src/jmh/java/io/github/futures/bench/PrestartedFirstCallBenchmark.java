package io.github.futures.bench;

import io.github.futures.ProcessPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The first call of a running application to a process pool whose workers were started ahead
 * ({@code prestartWorkers()}, what {@code futures.process.prestart=true} does at context refresh): a new pool
 * of 2 workers is prestarted and left alone for {@link #settleMillis} (not measured: the workers start and
 * warm up), then one call is submitted and its result awaited. {@code prestart=false} gives the same call on a
 * pool whose workers start at that call, for scale. The parent JVM is warm (the warm-up shots), as an
 * application serving requests is; each shot has fresh worker JVMs. Compare with {@code ProcessPoolBenchmark}'s
 * warm round trip.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="PrestartedFirstCallBenchmark"
 * </pre>
 * Target (issue 16): with prestart, the first call is a warm round trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3)
@Measurement(iterations = 10)
public class PrestartedFirstCallBenchmark {

    /** Whether the workers are prestarted before the measured call. */
    @Param({"true", "false"})
    public boolean prestart;

    /** How long a prestarted pool is left alone before the call (not measured). */
    @Param("2000")
    public long settleMillis;

    private ProcessPoolExecutor pool;

    /**
     * A new pool of 2 workers, prestarted and given time to start, or left to start at the call.
     *
     * @throws InterruptedException if interrupted while settling
     */
    @Setup(Level.Iteration)
    public void setUp() throws InterruptedException {
        pool = new ProcessPoolExecutor(2);
        if (prestart) {
            pool.prestartWorkers();
            Thread.sleep(settleMillis);
        }
    }

    /**
     * The pool's first call.
     *
     * @return the result (1)
     */
    @Benchmark
    public int firstCall() {
        return Workloads.check(pool.submit(ProcessTasks.ONE).result());
    }

    /** Shuts the pool of this shot down (not measured). */
    @TearDown(Level.Iteration)
    public void tearDown() {
        pool.shutdown(true, true);
        pool = null;
    }
}
