package io.github.futures.autoconfigure;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
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
 * Submit throughput of the virtual-thread pool (JDK 21+): {@value #CALLS} tiny calls submitted, then each
 * waited for, at most {@code limit} running at once. Peer: {@code Executors.newVirtualThreadPerTaskExecutor()}
 * guarded by a {@link Semaphore} of the same limit, the usual way to bound it (a permit taken before each
 * submit, so the submitter blocks at the limit, and given back when the call ends). The score is the time of
 * one batch; throughput is {@value #CALLS} / score.
 *
 * <p>Run on JDK 25 (from the repository root):
 * <pre>
 * JAVA_HOME=/path/to/jdk-25 ./mvnw -B -o -q -Pbench -pl futures-spring-boot-autoconfigure -am test-compile
 * M=futures-spring-boot-autoconfigure/target
 * /path/to/jdk-25/bin/java -cp "$M/test-classes:$M/classes:$(cat $M/jmh-classpath.txt)" org.openjdk.jmh.Main VirtualThreadSubmitBenchmark
 * </pre>
 * Target: ours at least 0.8 x the peer's throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class VirtualThreadSubmitBenchmark {

    /** Calls per batch. */
    static final int CALLS = 10_000;

    /** {@code futures}: our virtual-thread pool; {@code jdk}: the JDK's virtual-thread executor and a semaphore. */
    @Param({"futures", "jdk"})
    public String impl;

    /** At most this many calls at once. */
    @Param({"64"})
    public int limit;

    private ThreadPoolExecutor pool;

    private ExecutorService virtual;

    private Semaphore permits;

    /** Starts the executor under test. */
    @Setup
    public void setUp() throws Exception {
        if (impl.equals("futures")) {
            this.pool = ThreadPoolExecutor.builder().maxWorkers(limit).virtualThreads(true).threadNamePrefix("bench").build();
        } else {
            // reached by reflection: this module compiles for Java 17
            this.virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            this.permits = new Semaphore(limit);
        }
    }

    /** Stops it. */
    @TearDown
    public void tearDown() {
        if (this.pool != null) {
            this.pool.shutdown();
        }
        if (this.virtual != null) {
            this.virtual.shutdownNow();
        }
    }

    /**
     * Submits {@value #CALLS} calls, then waits for each.
     *
     * @return the sum of the results (each call returns its index)
     */
    @Benchmark
    public long submitAll() throws Exception {
        long sum = 0;
        if (this.pool != null) {
            List<Future<Integer>> futures = new ArrayList<>(CALLS);
            for (int i = 0; i < CALLS; i++) {
                int n = i;
                futures.add(this.pool.submit(() -> n));
            }
            for (Future<Integer> f : futures) {
                sum += f.result();
            }
        } else {
            List<java.util.concurrent.Future<Integer>> futures = new ArrayList<>(CALLS);
            for (int i = 0; i < CALLS; i++) {
                int n = i;
                this.permits.acquire();
                futures.add(this.virtual.submit(() -> {
                    try {
                        return n;
                    } finally {
                        this.permits.release();
                    }
                }));
            }
            for (java.util.concurrent.Future<Integer> f : futures) {
                sum += f.get();
            }
        }
        if (sum != (long) CALLS * (CALLS - 1) / 2) {
            throw new IllegalStateException("lost calls: sum " + sum);
        }
        return sum;
    }
}
