package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.TimeoutError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every public constructor and method of {@link ThreadPoolExecutor} (and the {@code Executor}
 * defaults it inherits, and {@link MapOptions}) given null, negative, zero and absurd values: a clear
 * exception naming the argument, or the documented behaviour, and the pool still works afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadPoolExecutorBadInputTest {

    private static final Duration ABSURD = Duration.ofDays(365_000);
    private final List<ThreadPoolExecutor> pools = new ArrayList<>();

    private ThreadPoolExecutor pool(ThreadPoolExecutor p) {
        pools.add(p);
        return p;
    }

    @AfterEach
    void shutDownPools() {
        for (ThreadPoolExecutor p : pools) {
            p.shutdown(false, true);
            assertThat(p.awaitTermination(Blocking.LONG)).as("%s ended", p).isTrue();
        }
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix + "_") && t.isAlive()).count();
    }

    /** Occupies a worker of {@code p} until {@code release} opens: the call, once it runs. */
    private static Future<Object> occupy(ThreadPoolExecutor p, CountDownLatch release) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Future<Object> call = p.submit(() -> {
            started.countDown();
            release.await();
            return null;
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        return call;
    }

    // ---------------------------------------------------------------- constructors and builder

    /** maxWorkers of 0 or less is refused by every constructor and by the builder, naming maxWorkers and the value. */
    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveMaxWorkersIsRefusedNamingIt(int bad) {
        List<Callable<?>> makers = List.of(
                () -> new ThreadPoolExecutor(bad),
                () -> new ThreadPoolExecutor(bad, "p"),
                () -> new ThreadPoolExecutor(bad, "p", () -> { }),
                () -> ThreadPoolExecutor.builder().maxWorkers(bad));
        for (Callable<?> maker : makers) {
            assertThatThrownBy(maker::call).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWorkers").hasMessageContaining(String.valueOf(bad));
        }
    }

    /** maxWorkers = Integer.MAX_VALUE creates no thread up front and only one per call that needs one. */
    @Test
    void hugeMaxWorkersStartsThreadsOnlyOnDemand() throws Exception {
        String prefix = "huge-" + System.nanoTime();
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(Integer.MAX_VALUE, prefix));
        assertThat(p.maxWorkers()).isEqualTo(Integer.MAX_VALUE);
        assertThat(threadsNamed(prefix)).as("threads before the first submit").isZero();

        assertThat(p.submit(() -> 1).result(Blocking.LONG)).isEqualTo(1);
        assertThat(threadsNamed(prefix)).as("threads after one call").isEqualTo(1);

        // 20 calls that all block at once need 20 threads, and get exactly that many.
        CountDownLatch allRunning = new CountDownLatch(20);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<Integer>> blocked = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            blocked.add(p.submit(() -> {
                allRunning.countDown();
                release.await();
                return 2;
            }));
        }
        assertThat(allRunning.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(threadsNamed(prefix)).as("threads with 20 blocked calls").isEqualTo(20);
        release.countDown();
        for (Future<Integer> f : blocked) {
            assertThat(f.result(Blocking.LONG)).isEqualTo(2);
        }
        assertThat(p.snapshot().workersStarted()).isEqualTo(20);
        Blocking.assertUnharmed(p);
    }

    /** The builder with maxWorkers = Integer.MAX_VALUE behaves the same: nothing eager. */
    @Test
    void builderWithHugeMaxWorkersIsLazy() {
        String prefix = "huge-builder-" + System.nanoTime();
        ThreadPoolExecutor p = pool(ThreadPoolExecutor.builder().maxWorkers(Integer.MAX_VALUE)
                .threadNamePrefix(prefix).initializer(null).build());
        assertThat(threadsNamed(prefix)).isZero();
        Blocking.assertUnharmed(p);
        assertThat(p.maxWorkers()).isEqualTo(Integer.MAX_VALUE);
    }

    /** A null or empty thread name prefix means the default {@code ThreadPoolExecutor-<k>}. */
    @Test
    void nullOrEmptyPrefixMeansDefault() throws Exception {
        for (ThreadPoolExecutor p : List.of(pool(new ThreadPoolExecutor(1, null)), pool(new ThreadPoolExecutor(1, "")),
                pool(ThreadPoolExecutor.builder().threadNamePrefix(null).build()))) {
            assertThat(p.threadNamePrefix()).matches("ThreadPoolExecutor-\\d+");
            String name = p.submit(() -> Thread.currentThread().getName()).result(Blocking.LONG);
            assertThat(name).isEqualTo(p.threadNamePrefix() + "_0");
        }
    }

    /** An absurdly long or odd prefix is used as given. */
    @Test
    void absurdPrefixIsUsedAsGiven() {
        String prefix = "x".repeat(10_000) + " \t\u00e9\u4e2d%s%n";
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(1, prefix));
        assertThat(p.submit(() -> Thread.currentThread().getName()).result(Blocking.LONG)).isEqualTo(prefix + "_0");
        Blocking.assertUnharmed(p);
    }

    /** A null initializer means none. */
    @Test
    void nullInitializerMeansNone() {
        Blocking.assertUnharmed(pool(new ThreadPoolExecutor(2, "no-init", null)));
    }

    // ---------------------------------------------------------------- submit / execute

    /** submit(null) and execute(null) are refused naming {@code fn}; nothing is counted as submitted. */
    @Test
    void nullCallIsRefusedAndNotCounted() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(2));
        assertThatThrownBy(() -> p.submit((Callable<Object>) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> p.submit((Runnable) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> p.execute(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThat(p.taskStats().submittedCount()).isZero();
        Blocking.assertUnharmed(p);
        assertThat(p.taskStats().submittedCount()).isEqualTo(4); // the submit and the 3 map calls
    }

    /** A call returning null and a call throwing an Error fail only their own future. */
    @Test
    void nullResultAndErrorsStayInTheirFuture() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(1));
        assertThat(p.submit(() -> null).result(Blocking.LONG)).isNull();
        Future<Object> oom = p.submit(() -> {
            throw new OutOfMemoryError("pretend");
        });
        assertThat(oom.exception(Blocking.LONG)).isInstanceOf(OutOfMemoryError.class).hasMessage("pretend");
        Future<Object> so = p.submit(ThreadPoolExecutorBadInputTest::recurse);
        assertThat(so.exception(Blocking.LONG)).isInstanceOf(StackOverflowError.class);
        Blocking.assertUnharmed(p);
    }

    private static Object recurse() {
        recurse();
        return null;
    }

    // ---------------------------------------------------------------- map

    /** map refuses a null function, iterable or options naming each; a null timeout means no limit. */
    @Test
    void mapRefusesNullsNamingThem() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(2));
        List<Integer> items = List.of(1, 2);
        Function<Integer, Integer> inc = x -> x + 1;
        assertThatThrownBy(() -> p.map((Function<Integer, Integer>) null, items)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> p.map(inc, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("items");
        assertThatThrownBy(() -> p.map(inc, items, (MapOptions) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("options");
        BiFunction<Integer, Integer, Integer> add = Integer::sum;
        assertThatThrownBy(() -> p.map((BiFunction<Integer, Integer, Integer>) null, items, items))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> p.map(add, null, items)).isInstanceOf(NullPointerException.class).hasMessageMatching("(?s).*\\ba\\b.*");
        assertThatThrownBy(() -> p.map(add, items, null)).isInstanceOf(NullPointerException.class).hasMessageMatching("(?s).*\\bb\\b.*");
        assertThat(p.taskStats().submittedCount()).isZero();

        assertThat(p.map(inc, items, (Duration) null).toList()).containsExactly(2, 3);
        assertThat(p.map(inc, items, MapOptions.DEFAULTS.withTimeout(null)).toList()).containsExactly(2, 3);
        Blocking.assertUnharmed(p);
    }

    /** A negative map timeout means the results must be there at once: a result not yet there is a TimeoutError, the rest are cancelled. */
    @Test
    void negativeMapTimeoutTimesOutAndCancelsTheRest() throws Exception {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(1));
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> holder = occupy(p, release);
        // The only worker is busy: no element can be ready, so the first one times out at once.
        Stream<Integer> s = p.map((Integer x) -> x, List.of(1, 2, 3), Duration.ofSeconds(-1));
        assertThatThrownBy(() -> s.iterator().next()).isInstanceOf(TimeoutError.class);
        release.countDown();
        holder.result(Blocking.LONG);
        assertThat(p.taskStats().cancelledCount()).as("map's calls cancelled after the timeout").isEqualTo(3);
        Blocking.assertUnharmed(p);
    }

    /** An absurd map timeout (a thousand years) is no limit, not an overflow into the past. */
    @Test
    void absurdMapTimeoutIsNoLimit() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(2));
        assertThat(p.map((Integer x) -> x * 2, List.of(1, 2, 3), ABSURD).toList()).containsExactly(2, 4, 6);
        assertThat(p.map((Integer x) -> x * 2, List.of(4), MapOptions.DEFAULTS.withTimeout(
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))).toList()).containsExactly(8);
    }

    /** chunksize below 1 and buffersize below 0 are refused by MapOptions, naming the option and the value. */
    @Test
    void badMapOptionsAreRefusedNamingThem() {
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> new MapOptions(null, bad, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("chunksize").hasMessageContaining(String.valueOf(bad));
            assertThatThrownBy(() -> MapOptions.DEFAULTS.withChunksize(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("chunksize");
        }
        for (int bad : new int[] {-1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> new MapOptions(null, 1, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("buffersize").hasMessageContaining(String.valueOf(bad));
            assertThatThrownBy(() -> MapOptions.DEFAULTS.withBuffersize(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("buffersize");
        }
        assertThat(MapOptions.DEFAULTS.withBuffersize(0).buffersize()).isZero();
    }

    /** A buffersize or chunksize larger than the input is fine: every item is mapped once, in order. */
    @Test
    void buffersizeAndChunksizeLargerThanTheInputAreFine() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(3));
        List<Integer> ten = IntStream.range(0, 10).boxed().toList();
        List<Integer> doubled = IntStream.range(0, 10).map(x -> 2 * x).boxed().toList();
        for (MapOptions o : List.of(MapOptions.DEFAULTS.withBuffersize(1_000), MapOptions.DEFAULTS.withBuffersize(Integer.MAX_VALUE),
                MapOptions.DEFAULTS.withChunksize(Integer.MAX_VALUE), new MapOptions(ABSURD, Integer.MAX_VALUE, Integer.MAX_VALUE))) {
            assertThat(p.map((Integer x) -> 2 * x, ten, o).toList()).as("%s", o).isEqualTo(doubled);
        }
        assertThat(p.taskStats().submittedCount()).isEqualTo(40);
        assertThat(p.map((Integer x) -> x, List.<Integer>of(), MapOptions.DEFAULTS.withBuffersize(5)).toList()).isEmpty();
    }

    /** An iterable whose iterator throws while map submits: map throws it, cancels what it submitted, the pool goes on. */
    @Test
    void failingIterableFailsMapAndCancelsItsCalls() throws Exception {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(1));
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> holder = occupy(p, release);
        Iterable<Integer> bad = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (i == 3) {
                    throw new IllegalStateException("source broke at 3");
                }
                return i++;
            }
        };
        assertThatThrownBy(() -> p.map((Integer x) -> x, bad)).isInstanceOf(IllegalStateException.class).hasMessage("source broke at 3");
        release.countDown();
        holder.result(Blocking.LONG);
        assertThat(p.taskStats().cancelledCount()).as("the 3 calls map had submitted").isEqualTo(3);
        Blocking.assertUnharmed(p);
    }

    /** map's two-iterable form over iterables of different lengths stops at the shorter, even an empty one. */
    @Test
    void zipStopsAtTheShorterIncludingEmpty() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(2));
        assertThat(p.map(Integer::sum, List.of(1, 2, 3), List.of(10)).toList()).containsExactly(11);
        assertThat(p.map(Integer::sum, List.<Integer>of(), List.of(10)).toList()).isEmpty();
    }

    // ---------------------------------------------------------------- shutdown and awaitTermination

    /** awaitTermination(null) waits without limit (the Terminable contract); before shutdown it is an IllegalStateException. */
    @Test
    void awaitTerminationChecksItsArguments() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(1));
        assertThatThrownBy(() -> p.awaitTermination(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shutdown");
        Blocking.assertUnharmed(p);
        p.shutdown(false, false);
        assertThat(p.awaitTermination(null)).isTrue();
        assertThat(p.awaitTermination(ABSURD)).isTrue();
        assertThat(p.awaitTermination(Duration.ofSeconds(-1))).isTrue();
        assertThat(p.awaitTermination(Duration.ZERO)).isTrue();
    }

    /** awaitTermination with a negative timeout while a call still runs returns false at once. */
    @Test
    void negativeAwaitTerminationDoesNotWait() throws Exception {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(1));
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> f = occupy(p, release);
        p.shutdown(false, false);
        assertThat(p.awaitTermination(Duration.ofSeconds(-1))).isFalse();
        assertThat(p.awaitTermination(Duration.ZERO)).isFalse();
        release.countDown();
        assertThat(p.awaitTermination(Blocking.LONG)).isTrue();
        assertThat(f.done()).isTrue();
    }

    /** Shutdown many times over, in any combination, is harmless; later submits are rejected with a clear message. */
    @Test
    void repeatedShutdownIsHarmless() {
        ThreadPoolExecutor p = pool(new ThreadPoolExecutor(2));
        Blocking.assertUnharmed(p);
        p.shutdown(false, false);
        p.shutdown(false, true);
        p.shutdown(true, true);
        p.shutdown();
        p.close();
        assertThatThrownBy(() -> p.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("after shutdown");
        assertThatThrownBy(() -> p.map((Integer x) -> x, List.of(1))).isInstanceOf(RejectedExecutionException.class);
        // A rejected map with nothing to submit is no error: there was nothing to schedule.
        assertThat(p.map((Integer x) -> x, List.<Integer>of()).toList()).isEmpty();
    }
}
