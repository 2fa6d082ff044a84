package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableBiFunction;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import io.github.futures.SerializableRunnable;
import io.github.futures.TimeoutError;
import io.github.futures.process.StderrLines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every public constructor and method of {@link ProcessPoolExecutor} and its builder given null,
 * negative, zero and absurd values: a clear exception naming the argument (or, for a worker that
 * cannot start, a {@link BrokenProcessPool} that says why), or the documented behaviour, and the
 * pool still working afterwards. One shared pool takes the bad calls, so that this costs few JVMs.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessPoolExecutorBadInputTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static ProcessPoolExecutor shared;

    @BeforeAll
    static void startSharedPool() {
        shared = ProcessPoolExecutor.builder().maxWorkers(2).build();
    }

    @AfterAll
    static void stopSharedPool() {
        shared.shutdown(true, false);
    }

    private static void assertUnharmed(ProcessPoolExecutor p) {
        assertThat(p.submit((SerializableCallable<Integer>) () -> 6 * 7).result(LONG)).isEqualTo(42);
        assertThat(p.map((SerializableFunction<Integer, Integer>) x -> x + 1, List.of(1, 2, 3), LONG).toList())
                .containsExactly(2, 3, 4);
    }

    // ---------------------------------------------------------------- constructors and builder settings

    /** maxWorkers of 0 or less is refused by the constructor and the builder, naming maxWorkers and the value. */
    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveMaxWorkersIsRefused(int bad) {
        for (Callable<?> maker : List.<Callable<?>>of(() -> new ProcessPoolExecutor(bad),
                () -> ProcessPoolExecutor.builder().maxWorkers(bad))) {
            assertThatThrownBy(maker::call).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWorkers").hasMessageContaining(String.valueOf(bad));
        }
    }

    /** maxWorkers = Integer.MAX_VALUE starts no process up front and one for one call. */
    @Test
    void hugeMaxWorkersStartsWorkersOnlyOnDemand() {
        ProcessPoolExecutor p = new ProcessPoolExecutor(Integer.MAX_VALUE);
        try {
            assertThat(p.maxWorkers()).isEqualTo(Integer.MAX_VALUE);
            assertThat(p.snapshot().workersStarted()).isZero();
            assertThat(p.submit((SerializableCallable<Integer>) () -> 1).result(LONG)).isEqualTo(1);
            assertThat(p.snapshot().workersStarted()).isEqualTo(1);
        } finally {
            p.shutdown(true, false);
        }
    }

    /** Each builder setting refuses null and out-of-range values with a message naming it. */
    @Test
    void builderRefusesBadSettingsNamingThem() {
        var b = ProcessPoolExecutor.builder();
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> b.maxTasksPerChild(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxTasksPerChild").hasMessageContaining(String.valueOf(bad));
        }
        for (int bad : new int[] {1023, 0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> b.maxMessageSize(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxMessageSize").hasMessageContaining(String.valueOf(bad));
        }
        assertThatThrownBy(() -> b.jvmArgs(Arrays.asList("-Xmx64m", null))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("jvmArgs");
        assertThatThrownBy(() -> b.jvmArgs("-Xmx64m", "  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jvmArgs");
        assertThatThrownBy(() -> b.javaExecutable(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("javaExecutable");
        assertThatThrownBy(() -> b.classPath(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("classPath");
        assertThatThrownBy(() -> b.serialFilter(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("pattern");
        assertThatThrownBy(() -> b.serialFilter("maxdepth=oops")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.environment(null)).isInstanceOf(NullPointerException.class);
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("KEY", null);
        assertThatThrownBy(() -> b.environment(nullValue)).isInstanceOf(NullPointerException.class);
        // After all of that the builder still builds a pool with its valid settings.
        ProcessPoolExecutor p = b.maxWorkers(1).maxTasksPerChild(Integer.MAX_VALUE).maxMessageSize(Integer.MAX_VALUE)
                .initializer(null).environment(Map.of()).jvmArgs().build();
        try {
            assertUnharmed(p);
        } finally {
            p.shutdown(true, false);
        }
    }

    /**
     * The first call's failure on a pool whose workers cannot start: the worker may die before the
     * submit is accepted (then submit throws BrokenProcessPool) or after (then the future fails with it).
     */
    private static Throwable firstFailure(ProcessPoolExecutor p) {
        try {
            return p.submit((SerializableCallable<Integer>) () -> 1).exception(LONG);
        } catch (BrokenProcessPool atSubmit) {
            return atSubmit;
        }
    }

    /** jvmArgs(String...) with a null element names the argument, as jvmArgs(List) does. */
    @Test
    void nullJvmArgsElementIsRefusedNamingIt() {
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().jvmArgs("-Xmx64m", null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("jvmArgs");
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().jvmArgs((String[]) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("jvmArgs");
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().jvmArgs((List<String>) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("jvmArgs");
    }


    /** An option the JVM does not know, or a class path without the library: BrokenProcessPool with the exit code, no hang. */
    @Test
    @SuppressWarnings("try") // the capture is held for its effect, not referenced
    void workerJvmThatCannotStartBreaksThePool() {
        try (StderrLines workersSaid = new StderrLines()) { // the JVMs' own complaints, provoked here
            workerJvmsThatCannotStartBreakThePool();
        }
    }

    private static void workerJvmsThatCannotStartBreakThePool() {
        for (ProcessPoolExecutor.Builder b : List.of(
                ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs("-XX:+NoSuchOptionAnywhere"),
                ProcessPoolExecutor.builder().maxWorkers(1).classPath("/nonexistent.jar"))) {
            ProcessPoolExecutor p = b.build();
            try {
                Throwable e = firstFailure(p);
                assertThat(e).isInstanceOf(BrokenProcessPool.class).hasMessageContaining("exited with code 1");
                assertThatThrownBy(() -> p.submit((SerializableCallable<Integer>) () -> 1)).isInstanceOf(BrokenProcessPool.class);
                System.out.println("[reliability] worker JVM cannot start: " + e.getMessage());
            } finally {
                p.shutdown(true, false);
            }
        }
    }

    /**
     * The message also quotes what the worker JVM printed (its reason), every time: 16 rounds of
     * both kinds. It once did so only about seven starts in eight: a failed write to the dead worker
     * destroyed the Process, whose streams the JDK then closes, and the pool read "Stream closed"
     * instead of the JVM's message.
     */
    @Test
    @SuppressWarnings("try") // the capture is held for its effect, not referenced
    void workerJvmThatCannotStartIsExplainedWithTheJvmsOwnMessage() {
        try (StderrLines workersSaid = new StderrLines()) { // the JVMs' own complaints, provoked here
            workerJvmsThatCannotStartAreExplained();
        }
    }

    private static void workerJvmsThatCannotStartAreExplained() {
        for (int round = 0; round < 16; round++) {
            for (var c : List.of(
                    Map.entry(ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs("-XX:+NoSuchOptionAnywhere"),
                            "Unrecognized VM option 'NoSuchOptionAnywhere'"),
                    Map.entry(ProcessPoolExecutor.builder().maxWorkers(1).classPath("/nonexistent.jar"),
                            "Could not find or load main class io.github.futures.process.WorkerMain"))) {
                ProcessPoolExecutor p = c.getKey().build();
                try {
                    assertThat(firstFailure(p)).as("round %d", round).isInstanceOf(BrokenProcessPool.class)
                            .hasMessageContaining(c.getValue());
                } finally {
                    p.shutdown(true, false);
                }
            }
        }
    }

    // ---------------------------------------------------------------- submit and map on the shared pool

    /** submit(null) in each overload is refused naming fn; nothing is counted. */
    @Test
    void nullCallIsRefused() {
        long before = shared.taskStats().submittedCount();
        assertThatThrownBy(() -> shared.submit((SerializableCallable<Object>) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> shared.submit((SerializableRunnable) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> shared.submit((Callable<Object>) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> shared.submit((Runnable) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> shared.execute(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThat(shared.taskStats().submittedCount()).isEqualTo(before);
        assertUnharmed(shared);
    }

    /** A call that is not serializable is refused at submit, naming its class and how to fix it. */
    @Test
    void unserializableCallIsRefusedNamingItsClass() {
        Callable<Integer> plain = () -> 1;
        assertThatThrownBy(() -> shared.submit(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Serializable").hasMessageContaining("$$Lambda");
        Object notSerializable = new Object();
        assertThatThrownBy(() -> shared.submit((SerializableCallable<Integer>) () -> notSerializable.hashCode()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        Function<Integer, Integer> plainFn = x -> x;
        assertThatThrownBy(() -> shared.map(plainFn, List.of(1), MapOptions.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Serializable");
        assertUnharmed(shared);
    }

    /** map refuses null function, items and options naming them; a null timeout means none; chunksize 0 is refused. */
    @Test
    void mapRefusesNullsAndBadOptions() {
        SerializableFunction<Integer, Integer> inc = x -> x + 1;
        List<Integer> items = List.of(1, 2);
        assertThatThrownBy(() -> shared.map((SerializableFunction<Integer, Integer>) null, items)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> shared.map(inc, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("items");
        assertThatThrownBy(() -> shared.map(inc, items, (MapOptions) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("options");
        SerializableBiFunction<Integer, Integer, Integer> add = Integer::sum;
        assertThatThrownBy(() -> shared.map((SerializableBiFunction<Integer, Integer, Integer>) null, items, items))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> shared.map(add, null, items)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> shared.map(add, items, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> shared.map(inc, items, MapOptions.DEFAULTS.withChunksize(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunksize");
        assertThat(shared.map(inc, items, (Duration) null).toList()).containsExactly(2, 3);
        assertUnharmed(shared);
    }

    /** chunksize and buffersize larger than the input, and absurd timeouts, still map every item once, in order. */
    @Test
    void oversizedChunksBuffersAndTimeoutsAreFine() {
        List<Integer> items = IntStream.range(0, 25).boxed().toList();
        List<Integer> squares = IntStream.range(0, 25).map(x -> x * x).boxed().toList();
        SerializableFunction<Integer, Integer> sq = x -> x * x;
        for (MapOptions o : List.of(MapOptions.DEFAULTS.withChunksize(1_000), MapOptions.DEFAULTS.withChunksize(Integer.MAX_VALUE),
                MapOptions.DEFAULTS.withBuffersize(1_000), MapOptions.DEFAULTS.withChunksize(7).withBuffersize(Integer.MAX_VALUE),
                new MapOptions(Duration.ofDays(365_000), 3, 2))) {
            assertThat(shared.map(sq, items, o).toList()).as("%s", o).isEqualTo(squares);
        }
        assertThat(shared.map(sq, List.<Integer>of(), MapOptions.DEFAULTS.withChunksize(50)).toList()).isEmpty();
        assertThat(shared.map(Integer::sum, List.of(1, 2, 3), List.of(10, 20)).toList()).containsExactly(11, 22);
        assertUnharmed(shared);
    }

    /** A negative map timeout: an element that is not there at once is a TimeoutError; the pool goes on. */
    @Test
    void negativeMapTimeoutTimesOut() {
        SerializableFunction<Integer, Integer> slow = x -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return x;
        };
        assertThatThrownBy(() -> shared.map(slow, List.of(1), Duration.ofSeconds(-1)).toList()).isInstanceOf(TimeoutError.class);
        assertUnharmed(shared);
    }

    /** A failing call with a null message and a call returning null are fine. */
    @Test
    void nullsInResultsAndExceptionsTravel() {
        assertThat(shared.submit((SerializableCallable<Object>) () -> null).result(LONG)).isNull();
        Throwable e = shared.submit((SerializableCallable<Object>) () -> {
            throw new IllegalStateException();
        }).exception(LONG);
        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage(null);
        List<Future<Void>> runs = new ArrayList<>(Arrays.asList(shared.submit((SerializableRunnable) () -> { })));
        assertThat(runs.get(0).result(LONG)).isNull();
    }

    /** awaitTermination(null) waits without limit (the Terminable contract); before shutdown it is an IllegalStateException. */
    @Test
    void awaitTerminationChecksItsArguments() {
        ProcessPoolExecutor p = new ProcessPoolExecutor(1);
        assertThatThrownBy(() -> p.awaitTermination(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
        p.shutdown(false, false);
        assertThat(p.awaitTermination(null)).isTrue();
        assertThat(p.awaitTermination(Duration.ofDays(365_000))).isTrue();
        assertThat(p.awaitTermination(Duration.ofSeconds(-1))).isTrue();
        p.shutdown();
        p.killWorkers();
        p.terminateWorkers();
    }
}
