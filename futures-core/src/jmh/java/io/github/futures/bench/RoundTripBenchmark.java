package io.github.futures.bench;

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
 * Latency: submit one call and wait for its result, repeated. The score is the time of one round
 * trip (caller to an idle worker and back). Threads on different cores wake each other slowly and
 * unevenly on small shared machines; compare this figure pinned ({@code taskset -c 0}) as well.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="RoundTripBenchmark"
 * taskset -c 0 ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="RoundTripBenchmark"   # pinned
 * </pre>
 * Target: ours at most 1.1 x the JDK's time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RoundTripBenchmark extends PeerPoolState {

    /** Starts the pool under test. */
    @Setup
    public void setUp() {
        startPool();
    }

    /**
     * One submit and the wait for its result.
     *
     * @return the call's result
     */
    @Benchmark
    public int submitAndWait() {
        return pool != null ? Workloads.roundTrip(pool) : Workloads.roundTrip(peer);
    }
}
