package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.DoneAndNotDone;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ReturnWhen;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Futures.asCompleted} and {@code Futures.wait} over 100 000 futures stay linear. Proven by
 * counting operations rather than by timing: the futures count every call of the methods the
 * library can call on them ({@code done}, {@code cancelled}, {@code running}, {@code hashCode},
 * {@code equals}, the result getters); a linear algorithm makes a small constant number per future,
 * a quadratic one (rescanning the pending futures after each completion) makes about n/2 per
 * future. Times are printed for RELIABILITY.md, not asserted.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WaitScalingTest {

    /** Generous: the implementation makes about 2-3 calls per future; quadratic would be thousands. */
    private static final int MAX_CALLS_PER_FUTURE = 8;

    /** A future that counts the calls the library makes on it. */
    private static final class CountingFuture extends Future<Integer> {
        private final LongAdder calls;

        CountingFuture(LongAdder calls) {
            this.calls = calls;
        }

        @Override
        public boolean done() {
            calls.increment();
            return super.done();
        }

        @Override
        public boolean cancelled() {
            calls.increment();
            return super.cancelled();
        }

        @Override
        public boolean running() {
            calls.increment();
            return super.running();
        }

        @Override
        public boolean isDone() {
            calls.increment();
            return super.isDone();
        }

        @Override
        public int hashCode() {
            calls.increment();
            return super.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            calls.increment();
            return super.equals(o);
        }

        void complete(int value) {
            if (setRunningOrNotifyCancel()) {
                setResult(value);
            }
        }
    }

    /** n futures, every second one already done, each listed twice (duplicates count once). */
    private static List<CountingFuture> futures(int n, LongAdder calls) {
        List<CountingFuture> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            CountingFuture f = new CountingFuture(calls);
            if (i % 2 == 0) {
                f.complete(i);
            }
            fs.add(f);
        }
        return fs;
    }

    /** Completes the pending ones in a shuffled order from another thread. */
    private static Thread completeRestShuffled(List<CountingFuture> fs) {
        List<CountingFuture> pending = new ArrayList<>();
        for (int i = 1; i < fs.size(); i += 2) {
            pending.add(fs.get(i));
        }
        Collections.shuffle(pending, new Random(42));
        Thread t = new Thread(() -> {
            for (CountingFuture f : pending) {
                f.complete(1);
            }
        }, "completer");
        t.start();
        return t;
    }

    private static List<CountingFuture> twice(List<CountingFuture> fs) {
        List<CountingFuture> both = new ArrayList<>(fs);
        both.addAll(fs);
        return both;
    }

    /** asCompleted yields each of n distinct futures once with O(n) calls on them. */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {10_000, 100_000})
    void asCompletedIsLinear(int n) throws InterruptedException {
        LongAdder calls = new LongAdder();
        List<CountingFuture> fs = futures(n, calls);
        List<CountingFuture> input = twice(fs);
        calls.reset();
        long t0 = System.nanoTime();
        Iterable<CountingFuture> completed = Futures.asCompleted(input);
        Thread completer = completeRestShuffled(fs);
        Map<CountingFuture, Boolean> seen = new IdentityHashMap<>(2 * n);
        for (CountingFuture f : completed) {
            if (seen.put(f, Boolean.TRUE) != null) {
                throw new AssertionError("yielded twice: " + f);
            }
        }
        long nanos = System.nanoTime() - t0;
        completer.join();
        long libraryCalls = calls.sum();
        System.out.printf("[reliability] asCompleted n=%d (listed twice) calls=%d (%.2f per future) time=%.1fms%n",
                n, libraryCalls, (double) libraryCalls / n, nanos / 1e6);
        assertThat(seen).hasSize(n);
        assertThat(libraryCalls).as("calls on the futures").isLessThanOrEqualTo((long) MAX_CALLS_PER_FUTURE * n);
    }

    /** wait(ALL_COMPLETED) and wait(FIRST_EXCEPTION) return all n futures done with O(n) calls on them. */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {10_000, 100_000})
    void waitIsLinear(int n) throws InterruptedException {
        for (ReturnWhen returnWhen : List.of(ReturnWhen.ALL_COMPLETED, ReturnWhen.FIRST_EXCEPTION)) {
            LongAdder calls = new LongAdder();
            List<CountingFuture> fs = futures(n, calls);
            List<CountingFuture> input = twice(fs);
            calls.reset();
            long t0 = System.nanoTime();
            Thread completer = completeRestShuffled(fs);
            DoneAndNotDone<CountingFuture> r = Futures.wait(input, null, returnWhen);
            long nanos = System.nanoTime() - t0;
            completer.join();
            long libraryCalls = calls.sum();
            System.out.printf("[reliability] wait(%s) n=%d (listed twice) calls=%d (%.2f per future) time=%.1fms%n",
                    returnWhen, n, libraryCalls, (double) libraryCalls / n, nanos / 1e6);
            assertThat(r.done()).hasSize(n);
            assertThat(r.notDone()).isEmpty();
            assertThat(libraryCalls).as("calls on the futures").isLessThanOrEqualTo((long) MAX_CALLS_PER_FUTURE * n);
        }
    }

    /** wait(FIRST_COMPLETED) over 100 000 pending futures, one of which completes, is linear too. */
    @Test
    void waitFirstCompletedOverManyPendingIsLinear() throws InterruptedException {
        int n = 100_000;
        LongAdder calls = new LongAdder();
        List<CountingFuture> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(new CountingFuture(calls));
        }
        CountingFuture last = fs.get(n - 1);
        Thread completer = new Thread(() -> last.complete(7), "completer");
        long t0 = System.nanoTime();
        completer.start();
        DoneAndNotDone<CountingFuture> r = Futures.wait(fs, null, ReturnWhen.FIRST_COMPLETED);
        long nanos = System.nanoTime() - t0;
        completer.join();
        System.out.printf("[reliability] wait(FIRST_COMPLETED) n=%d calls=%d time=%.1fms%n", n, calls.sum(), nanos / 1e6);
        assertThat(r.done()).containsExactly(last);
        assertThat(r.notDone()).hasSize(n - 1);
        assertThat(calls.sum()).isLessThanOrEqualTo((long) MAX_CALLS_PER_FUTURE * n);
    }
}
