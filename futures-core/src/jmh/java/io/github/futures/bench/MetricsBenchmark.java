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
 * Micrometer {@code Timer}s (percentile histograms, {@code SimpleMeterRegistry}) as the starter's
 * binding does ({@code micrometer}; needs {@code -Pbench}), bound through {@code TaskStats#addListener}.
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

    private static final String MICROMETER_LISTENER = "io.github.futures.bench.peers.MicrometerTaskListener";

    /** Which listener is bound. */
    @Param({NONE, PLAIN, MICROMETER})
    public String listener;

    /** Worker threads. */
    @Param("4")
    public int workers;

    private ThreadPoolExecutor pool;
    private TaskListener bound;
    private final Future<?>[] fs = new Future<?>[SubmitBenchmark.CALLS];

    /**
     * The listeners that can run in this build: Micrometer's needs the bench profile.
     *
     * @return the names
     */
    public static List<String> available() {
        return Peers.springAvailable() ? List.of(NONE, PLAIN, MICROMETER) : List.of(NONE, PLAIN);
    }

    /** Starts the pool and binds the listener. */
    @Setup
    public void setUp() {
        pool = new ThreadPoolExecutor(workers, "futures-bench");
        bound = switch (listener) {
            case NONE -> null;
            case PLAIN -> new CountingTaskListener();
            case MICROMETER -> micrometer();
            default -> throw new IllegalArgumentException("listener must be one of " + List.of(NONE, PLAIN, MICROMETER)
                    + ", got " + listener);
        };
        if (bound != null) {
            pool.taskStats().addListener(bound);
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

    /** Stops the pool; checks that the listener saw every call start. */
    @TearDown
    public void tearDown() {
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
        return Workloads.submitThenWaitAll(pool, fs, SubmitBenchmark.CALLS);
    }

    /**
     * One submit and the wait for its result.
     *
     * @return the call's result
     */
    @Benchmark
    public int roundTrip() {
        return Workloads.roundTrip(pool);
    }
}
