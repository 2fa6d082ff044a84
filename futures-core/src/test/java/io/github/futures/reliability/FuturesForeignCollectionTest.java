package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.DoneAndNotDone;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ReturnWhen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wait} and {@code asCompleted} over a collection whose {@code size()} does not match what its
 * iterator yields: a concurrent queue that producers add futures to while it is read (its size is a
 * snapshot, its iterator sees later additions), or a collection that simply reports a wrong size. The
 * futures iterated are what counts; nothing may spin or wait for futures that are not there.
 *
 * <p>Regression: the duplicate check sized its table from {@code size()}; more distinct futures than
 * twice that filled it, and the next probe looped for ever (a thread at 100 % CPU inside {@code wait}).
 * {@code asCompleted} took {@code size()} as the number of futures to yield and, when it said more than
 * there were, blocked for ever after the last one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesForeignCollectionTest {

    private static final long BOUND_SECONDS = 20;

    /** Futures, all done. */
    private static List<Future<Integer>> doneFutures(int n) {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Future<Integer> f = new Future<>();
            f.setResult(i);
            fs.add(f);
        }
        return fs;
    }

    /** A list (not a Set) whose size() reports {@code size} whatever it holds; its iterator yields them all. */
    private static <F> Collection<F> sizeSays(int size, List<F> elements) {
        return new ArrayList<>(elements) {
            private static final long serialVersionUID = 1L;

            @Override
            public int size() {
                return size;
            }
        };
    }

    /**
     * Runs {@code body} on a daemon thread and returns its value, failing if it does not end in time
     * (a spinning thread cannot be interrupted; as a daemon it does not hold the test JVM).
     */
    private static <T> T bounded(Callable<T> body) throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                outcome.set(body.call());
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "bounded-wait");
        t.setDaemon(true);
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
        if (t.isAlive()) {
            StackTraceElement[] where = t.getStackTrace();
            throw new AssertionError("still running after " + BOUND_SECONDS + " s, at " + (where.length > 0 ? where[0] : "?"));
        }
        if (outcome.get() instanceof Throwable e) {
            throw new AssertionError(e);
        }
        @SuppressWarnings("unchecked")
        T value = (T) outcome.get();
        return value;
    }

    /** wait over more futures than size() says returns them all as done. */
    @Test
    void waitOverMoreFuturesThanSizeSaysReturns() throws InterruptedException {
        List<Future<Integer>> fs = doneFutures(40);
        DoneAndNotDone<Future<Integer>> r = bounded(() -> Futures.wait(sizeSays(0, fs), Duration.ZERO,
                ReturnWhen.ALL_COMPLETED));
        assertThat(r.done()).hasSize(40);
        assertThat(r.notDone()).isEmpty();
    }

    /** asCompleted over more futures than size() says yields each once. */
    @Test
    void asCompletedOverMoreFuturesThanSizeSaysYieldsEach() throws InterruptedException {
        List<Future<Integer>> fs = doneFutures(40);
        List<Future<Integer>> yielded = bounded(() -> {
            List<Future<Integer>> out = new ArrayList<>();
            for (Future<Integer> f : Futures.asCompleted(sizeSays(1, fs))) {
                out.add(f);
            }
            return out;
        });
        assertThat(yielded).containsExactlyInAnyOrderElementsOf(fs);
    }

    /** asCompleted over fewer futures than size() says ends after the last one instead of waiting for ever. */
    @Test
    void asCompletedOverFewerFuturesThanSizeSaysEnds() throws InterruptedException {
        List<Future<Integer>> fs = doneFutures(2);
        List<Future<Integer>> yielded = bounded(() -> {
            List<Future<Integer>> out = new ArrayList<>();
            for (Future<Integer> f : Futures.asCompleted(sizeSays(5, fs))) {
                out.add(f);
            }
            return out;
        });
        assertThat(yielded).containsExactlyInAnyOrderElementsOf(fs);
    }
}
