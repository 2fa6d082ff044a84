package io.github.futures.bench;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.TaskListener;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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
 * The cost of metrics: the submit-100k and round-trip workloads of {@link SubmitBenchmark} and
 * {@link RoundTripBenchmark} on our pool, with no listener, with a {@link CountingTaskListener}
 * ({@code plain}: the listener machinery alone), and with a listener that records into the same two
 * Micrometer {@code Timer}s ({@code SimpleMeterRegistry}) as the starter's binding does
 * ({@code micrometer}; needs {@code -Pbench}), bound through {@code TaskStats#addListener}. For
 * scale, the same workloads on the JDK's fixed pool, bare ({@code jdk}) and metered the way
 * Micrometer meters any {@code ExecutorService}, with {@code ExecutorServiceMetrics.monitor}
 * ({@code jdk-micrometer}; needs {@code -Pbench}).
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="MetricsBenchmark"
 * taskset -c 0 ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="MetricsBenchmark"   # pinned
 * </pre>
 * Target: {@code micrometer} at most 1.1 x {@code none}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MetricsBenchmark {

    /** No listener. */
    public static final String NONE = "none";
    /** {@link CountingTaskListener}. */
    public static final String PLAIN = "plain";
    /** Micrometer timers (bench profile only). */
    public static final String MICROMETER = "micrometer";
    /** The JDK's fixed pool, no metrics. */
    public static final String JDK = "jdk";
    /** The JDK's fixed pool under Micrometer's {@code ExecutorServiceMetrics} (bench profile only). */
    public static final String JDK_MICROMETER = Peers.JDK_MICROMETER;

    private static final String MICROMETER_LISTENER = "io.github.futures.bench.peers.MicrometerTaskListener";
    private static final List<String> ALL = List.of(NONE, PLAIN, MICROMETER, JDK, JDK_MICROMETER);

    /** Which listener is bound to our pool, or which JDK pool runs instead. */
    @Param({NONE, PLAIN, MICROMETER, JDK, JDK_MICROMETER})
    public String listener;

    /** Worker threads. */
    @Param("4")
    public int workers;

    private ThreadPoolExecutor pool;
    private TaskListener bound;
    private final Future<?>[] fs = new Future<?>[SubmitBenchmark.CALLS];
    /** The JDK pool, when {@link #listener} names one; then {@link #pool} is {@code null}. */
    private JucPool juc;
    private final java.util.concurrent.Future<?>[] jfs = new java.util.concurrent.Future<?>[SubmitBenchmark.CALLS];
    /** Calls submitted to the JDK pool, to check what its meters counted. */
    private long jucCalls;

    /**
     * The listeners that can run in this build: Micrometer's needs the bench profile.
     *
     * @return the names
     */
    public static List<String> available() {
        return Peers.springAvailable() ? ALL : List.of(NONE, PLAIN, JDK);
    }

    /** Starts the pool and binds the listener. */
    @Setup
    public void setUp() {
        switch (listener) {
            case JDK, JDK_MICROMETER -> juc = Peers.juc(listener, workers);
            case NONE, PLAIN, MICROMETER -> {
                pool = new ThreadPoolExecutor(workers, "futures-bench");
                bound = listener.equals(NONE) ? null : listener.equals(PLAIN) ? new CountingTaskListener()
                        : micrometer();
                if (bound != null) {
                    pool.taskStats().addListener(bound);
                }
            }
            default -> throw new IllegalArgumentException("listener must be one of " + ALL + ", got " + listener);
        }
    }

    private static TaskListener micrometer() {
        try {
            return (TaskListener) Class.forName(MICROMETER_LISTENER).getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("listener=micrometer needs Micrometer on the classpath: build with -Pbench", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + MICROMETER_LISTENER, e);
        }
    }

    /** Stops the pool; checks that the listener (or Micrometer's meters) saw every call. */
    @TearDown
    public void tearDown() {
        if (juc != null) {
            juc.shutdownNow();
            if (juc instanceof LongSupplier counted && counted.getAsLong() != jucCalls) {
                throw new AssertionError("Micrometer timed " + counted.getAsLong() + " calls, " + jucCalls + " were submitted");
            }
            return;
        }
        pool.shutdown(true, true);
        if (bound instanceof LongSupplier counted && counted.getAsLong() != pool.taskStats().startedCount()) {
            throw new AssertionError("listener saw " + counted.getAsLong() + " calls start, the pool started "
                    + pool.taskStats().startedCount());
        }
    }

    /**
     * Submits 100 000 no-op calls, then waits for all.
     *
     * @return the number of calls
     */
    @Benchmark
    public int submitThenWaitAll() {
        if (juc != null) {
            jucCalls += SubmitBenchmark.CALLS;
            return Workloads.submitThenWaitAll(juc, jfs, SubmitBenchmark.CALLS);
        }
        return Workloads.submitThenWaitAll(pool, fs, SubmitBenchmark.CALLS);
    }

    /**
     * One submit and the wait for its result.
     *
     * @return the call's result
     */
    @Benchmark
    public int roundTrip() {
        if (juc != null) {
            jucCalls++;
            return Workloads.roundTrip(juc);
        }
        return Workloads.roundTrip(pool);
    }
}
