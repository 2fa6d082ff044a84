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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pool start to first result: create a {@link ProcessPoolExecutor} of 2 workers, submit one tiny
 * call and wait for its result. Workers start lazily, so this includes starting a worker JVM; the
 * shutdown that follows is not measured. One shot per iteration.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="ProcessPoolStartBenchmark"
 * </pre>
 * Target: at most 100 ms.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3)
@Measurement(iterations = 10)
public class ProcessPoolStartBenchmark {

    /** Worker processes. */
    @Param("2")
    public int workers;

    private ProcessPoolExecutor pool;

    /**
     * Starts a pool and waits for its first result.
     *
     * @return the result (1)
     */
    @Benchmark
    public int startToFirstResult() {
        pool = new ProcessPoolExecutor(workers);
        return Workloads.check(pool.submit(ProcessTasks.ONE).result());
    }

    /** Shuts the pool of this shot down (not measured). */
    @TearDown(Level.Iteration)
    public void tearDown() {
        if (pool != null) {
            pool.shutdown(true, true);
            pool = null;
        }
    }
}
