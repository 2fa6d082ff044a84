package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Executor.map's engine, driven through an executor that never runs anything by itself: the test
 * decides which call starts, finishes or fails, so every ordering is exact.
 */
@Timeout(30)
class MapTest {

    /** An executor that only records what it is given. */
    private static final class ManualExecutor implements Executor {
        final List<Future<Object>> futures = new ArrayList<>();
        final List<Callable<?>> calls = new ArrayList<>();
        int rejectFrom = Integer.MAX_VALUE;

        @Override
        @SuppressWarnings("unchecked")
        public <T> Future<T> submit(Callable<T> fn) {
            if (futures.size() >= rejectFrom) {
                throw new RejectedExecutionException("cannot schedule new futures after shutdown");
            }
            Future<Object> f = new Future<>();
            futures.add(f);
            calls.add(fn);
            return (Future<T>) f;
        }

        @Override
        public Future<Void> submit(Runnable fn) {
            return submit(() -> {
                fn.run();
                return null;
            });
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {
        }

        /** Runs call i in the test thread and completes its future, as a worker would. */
        void run(int i) {
            Future<Object> f = futures.get(i);
            if (!f.setRunningOrNotifyCancel()) {
                return;
            }
            try {
                f.setResult(calls.get(i).call());
            } catch (Exception e) {
                f.setException(e);
            }
        }
    }

    /** 0 .. n-1, counting in {@code pulled} every item taken from it. */
    private static Iterable<Integer> counting(int n, AtomicInteger pulled) {
        return () -> new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Integer next() {
                pulled.incrementAndGet();
                return next++;
            }
        };
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** All items are submitted when map is called; results come in item order whatever the completion order. */
    @Test
    void submitsEverythingAtTheCallAndYieldsInItemOrder() {
        ManualExecutor e = new ManualExecutor();
        try (Stream<Integer> s = e.map(x -> x * 2, range(5))) {
            assertThat(e.futures).hasSize(5);
            for (int i = 4; i >= 0; i--) {
                e.run(i);
            }
            assertThat(s.toList()).containsExactly(0, 2, 4, 6, 8);
        }
    }

    /** A failed call throws when reached, and the calls not started are cancelled; started ones are not. */
    @Test
    void failureWhileConsumingCancelsTheCallsNotStarted() {
        ManualExecutor e = new ManualExecutor();
        Stream<Integer> s = e.map(x -> 10 / x, List.of(5, 0, 1, 2, 3));
        Iterator<Integer> it = s.iterator();
        e.run(0);
        e.run(1); // fails
        e.futures.get(3).setRunningOrNotifyCancel(); // started, still running
        assertThat(it.next()).isEqualTo(2);
        assertThatThrownBy(it::next).isExactlyInstanceOf(ArithmeticException.class);
        assertThat(e.futures.get(2).cancelled()).isTrue();
        assertThat(e.futures.get(3).cancelled()).isFalse();
        assertThat(e.futures.get(3).running()).isTrue();
        assertThat(e.futures.get(4).cancelled()).isTrue();
        assertThat(e.futures.get(0).cancelled()).isFalse();
    }

    /** Closing the stream cancels every call not started. */
    @Test
    void closingTheStreamCancelsTheCallsNotStarted() {
        ManualExecutor e = new ManualExecutor();
        Stream<Integer> s = e.map(x -> x, range(4));
        e.futures.get(1).setRunningOrNotifyCancel();
        s.close();
        assertThat(e.futures.get(0).cancelled()).isTrue();
        assertThat(e.futures.get(1).cancelled()).isFalse();
        assertThat(e.futures.get(2).cancelled()).isTrue();
        assertThat(e.futures.get(3).cancelled()).isTrue();
    }

    /** A timeout while consuming cancels the calls not started, the late one included. */
    @Test
    void timeoutWhileConsumingCancelsTheCallsNotStarted() {
        ManualExecutor e = new ManualExecutor();
        Iterator<Integer> it = e.map(x -> x, range(3), Duration.ofMillis(50)).iterator();
        e.run(0);
        assertThat(it.next()).isEqualTo(0);
        assertThatThrownBy(it::next).isInstanceOf(TimeoutError.class);
        assertThat(e.futures.get(1).cancelled()).isTrue();
        assertThat(e.futures.get(2).cancelled()).isTrue();
    }

    /** A huge map timeout is no limit, not an overflow. */
    @Test
    void hugeTimeoutIsNoLimit() {
        ManualExecutor e = new ManualExecutor();
        Iterator<Integer> it = e.map(x -> x, range(2), Duration.ofDays(365_000)).iterator();
        e.run(0);
        e.run(1);
        assertThat(it.next()).isZero();
        assertThat(it.next()).isOne();
    }

    /** With buffersize b, b items are submitted at the call and one more per element taken. */
    @Test
    void buffersizeKeepsThatManyInFlight() {
        ManualExecutor e = new ManualExecutor();
        AtomicInteger pulled = new AtomicInteger();
        Iterable<Integer> counting = counting(10, pulled);
        Iterator<Integer> it = e.map(x -> x + 100, counting, MapOptions.DEFAULTS.withBuffersize(3)).iterator();
        assertThat(e.futures).hasSize(3);
        assertThat(pulled).hasValue(3);
        e.run(0);
        assertThat(it.next()).isEqualTo(100);
        assertThat(e.futures).hasSize(4);
        e.run(1);
        e.run(2);
        e.run(3);
        assertThat(it.next()).isEqualTo(101);
        assertThat(it.next()).isEqualTo(102);
        assertThat(e.futures).hasSize(6);
        assertThat(pulled).hasValue(6);
    }

    /** Closing a buffered stream cancels what is in flight and takes nothing more from the source. */
    @Test
    void closingABufferedStreamStopsTakingItems() {
        ManualExecutor e = new ManualExecutor();
        Stream<Integer> s = e.map(x -> x, range(100), MapOptions.DEFAULTS.withBuffersize(2));
        s.close();
        assertThat(e.futures).hasSize(2).allMatch(Future::cancelled);
    }

    /** A submit rejected part-way through map cancels what was already submitted and propagates. */
    @Test
    void rejectionDuringMapCancelsWhatWasSubmitted() {
        ManualExecutor e = new ManualExecutor();
        e.rejectFrom = 2;
        assertThatThrownBy(() -> e.map(x -> x, range(5))).isInstanceOf(RejectedExecutionException.class);
        assertThat(e.futures).hasSize(2).allMatch(Future::cancelled);
    }

    /** The two-iterable form zips and stops at the shorter one without taking extra items from the longer. */
    @Test
    void twoIterablesStopAtTheShorterOne() {
        ManualExecutor e = new ManualExecutor();
        AtomicInteger pulledFromLong = new AtomicInteger();
        Iterable<Integer> longOne = counting(10, pulledFromLong);
        Stream<String> s = e.map((Integer a, String b) -> a + b, longOne, List.of("a", "b", "c"));
        assertThat(e.futures).hasSize(3);
        assertThat(pulledFromLong).hasValue(3);
        for (int i = 0; i < 3; i++) {
            e.run(i);
        }
        assertThat(s.toList()).containsExactly("0a", "1b", "2c");
    }

    /** chunksize < 1 and buffersize < 0 are rejected with a message naming the option. */
    @Test
    void badOptionsAreRejected() {
        assertThatThrownBy(() -> MapOptions.DEFAULTS.withChunksize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunksize");
        assertThatThrownBy(() -> MapOptions.DEFAULTS.withBuffersize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("buffersize");
        assertThatThrownBy(() -> new MapOptions(null, -5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MapOptions.DEFAULTS).isEqualTo(new MapOptions(null, 1, 0));
        MapOptions o = MapOptions.DEFAULTS.withTimeout(Duration.ofSeconds(3)).withChunksize(4).withBuffersize(2);
        assertThat(o).isEqualTo(new MapOptions(Duration.ofSeconds(3), 4, 2));
    }

    /** Null function, items or options are rejected. */
    @Test
    void nullArgumentsAreRejected() {
        ManualExecutor e = new ManualExecutor();
        assertThatThrownBy(() -> e.map((Function<Integer, Integer>) null, range(1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> e.map(x -> x, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> e.map(x -> x, range(1), (MapOptions) null)).isInstanceOf(NullPointerException.class);
        assertThat(e.futures).isEmpty();
    }

    /** The chunked engine (for process pools) sends chunks of chunksize and yields their results flat, in order. */
    @Test
    void chunkedMapSendsChunksAndFlattensInOrder() {
        List<List<Integer>> chunks = new ArrayList<>();
        List<Future<List<Integer>>> futures = new ArrayList<>();
        Stream<Integer> s = MapSupport.mapChunked(range(7), MapOptions.DEFAULTS.withChunksize(3), (List<Integer> chunk) -> {
            chunks.add(chunk);
            Future<List<Integer>> f = new Future<>();
            futures.add(f);
            return f;
        });
        assertThat(chunks).containsExactly(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6));
        for (int i = futures.size() - 1; i >= 0; i--) {
            futures.get(i).setResult(chunks.get(i).stream().map(x -> -x).toList());
        }
        assertThat(s.toList()).containsExactly(0, -1, -2, -3, -4, -5, -6);
    }
}
