package io.github.futures.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
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
 * {@code map} over 100 000 tiny items ({@code x -> x + 1}), the results consumed in the items' order.
 * Ours is {@code executor.map(fn, items)}; the peers, which have no {@code map}, run what a Java
 * programmer writes instead: submit a call per item, then {@code get()} the futures in order.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="MapBenchmark"
 * taskset -c 0 ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="MapBenchmark"   # pinned
 * </pre>
 * Target: ours at least 0.8 x the throughput of the JDK's submit-then-get loop (time at most 1.25 x).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MapBenchmark extends PeerPoolState {

    /** Items per operation. */
    public static final int ITEMS = 100_000;

    private static final Function<Integer, Integer> INC = x -> x + 1;

    private List<Integer> items;
    private long expectedSum;
    private final java.util.concurrent.Future<?>[] theirs = new java.util.concurrent.Future<?>[ITEMS];

    /** Starts the pool under test and makes the items. */
    @Setup
    public void setUp() {
        items = new ArrayList<>(ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            items.add(i);
            expectedSum += i + 1;
        }
        startPool();
    }

    /**
     * Maps the items and sums the results in order.
     *
     * @return the sum
     */
    @Benchmark
    public long mapInOrder() {
        long sum = 0;
        if (pool != null) {
            try (Stream<Integer> results = pool.map(INC, items)) {
                for (Iterator<Integer> it = results.iterator(); it.hasNext(); ) {
                    sum += it.next();
                }
            }
        } else {
            java.util.concurrent.Future<?>[] fs = theirs;
            int i = 0;
            for (Integer x : items) {
                fs[i++] = peer.submit(() -> INC.apply(x));
            }
            for (int j = 0; j < ITEMS; j++) {
                sum += (Integer) Workloads.get(fs[j]);
                fs[j] = null;
            }
        }
        if (sum != expectedSum) {
            throw new AssertionError("sum of results " + sum + ", expected " + expectedSum);
        }
        return sum;
    }
}
