package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ReturnWhen;
import io.github.futures.TimeoutError;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's {@link Future} subclass whose {@code done()} throws, given to {@code Futures.wait} and
 * {@code Futures.asCompleted} among ordinary pending futures: the caller gets the exception, and no
 * waiter stays behind on the other futures (a caller that retries in a loop would otherwise pile one
 * up per call on each long-lived future).
 */
@Timeout(60)
class FuturesHostileFutureTest {

    /** A future whose done() throws from its {@code failFrom}-th call on. */
    static final class ThrowingDone<T> extends Future<T> {
        final AtomicInteger calls = new AtomicInteger();
        private final int failFrom;

        ThrowingDone(int failFrom) {
            this.failFrom = failFrom;
        }

        @Override
        public boolean done() {
            if (calls.incrementAndGet() >= failFrom) {
                throw new IllegalStateException("done() refuses");
            }
            return super.done();
        }
    }

    /** The listener nodes on {@code f} (threads, waiters, callbacks), through the library's own count. */
    static int nodes(Future<?> f) throws Exception {
        Method m = Future.class.getDeclaredMethod("listenerNodes");
        m.setAccessible(true);
        return (int) m.invoke(f);
    }

    /** For each ReturnWhen and both orders: wait() throws the future's exception and leaves no waiter. */
    @Test
    void waitWhoseFutureThrowsLeavesNoWaiter() throws Exception {
        for (ReturnWhen when : ReturnWhen.values()) {
            for (int failFrom = 1; failFrom <= 3; failFrom++) {
                Future<Integer> a = new Future<>();
                Future<Integer> b = new Future<>();
                ThrowingDone<Integer> bad = new ThrowingDone<>(failFrom);
                for (List<Future<Integer>> fs : List.of(List.of(a, bad, b), List.of(bad, a, b), List.of(a, b, bad))) {
                    try {
                        Futures.wait(fs, Duration.ofMillis(1), when);
                    } catch (IllegalStateException expected) {
                        assertThat(expected).hasMessage("done() refuses");
                    }
                    assertThat(nodes(a)).as(when + ", done() failing from call " + failFrom + ", " + fs.indexOf(bad)).isZero();
                    assertThat(nodes(b)).isZero();
                    assertThat(nodes(bad)).isZero();
                }
            }
        }
    }

    /** asCompleted: its set-up throws the future's exception and leaves no waiter. */
    @Test
    void asCompletedWhoseFutureThrowsAtSetUpLeavesNoWaiter() throws Exception {
        Future<Integer> a = new Future<>();
        ThrowingDone<Integer> bad = new ThrowingDone<>(1);
        for (List<Future<Integer>> fs : List.of(List.of(a, bad), List.of(bad, a))) {
            assertThatThrownBy(() -> Futures.asCompleted(fs, Duration.ofSeconds(20)))
                    .isInstanceOf(IllegalStateException.class).hasMessage("done() refuses");
            assertThat(nodes(a)).isZero();
            assertThat(nodes(bad)).isZero();
        }
    }

    /**
     * asCompleted's iteration asks a future's {@code done()} only at set-up: before it blocks, next() once
     * asked it again (to warn of a pool waiting on itself), and what it threw there left the iteration's
     * waiters installed on the other futures until the iterator was collected.
     */
    @Test
    void asCompletedIterationDoesNotRunAFuturesDone() throws Exception {
        Future<Integer> a = new Future<>();
        Future<Integer> b = new Future<>();
        ThrowingDone<Integer> bad = new ThrowingDone<>(2); // the set-up's call passes, any later one throws
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(bad, a, b), Duration.ofMillis(300)).iterator();
        b.setResult(2);
        assertThat(it.next()).isSameAs(b);
        assertThatThrownBy(it::next).as("waits for a and bad, then times out").isInstanceOf(TimeoutError.class)
                .hasMessage("2 (of 3) futures unfinished");
        assertThat(bad.calls).as("done() asked once, at set-up").hasValue(1);
        assertThat(nodes(a)).isZero();
        assertThat(nodes(bad)).isZero();
    }
}
