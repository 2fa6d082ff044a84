package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.DoneAndNotDone;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ReturnWhen;
import io.github.futures.TimeoutError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Futures#wait} and {@link Futures#asCompleted} given null, empty, negative and absurd arguments. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesBadInputTest {

    private static final Duration ABSURD = Duration.ofDays(365_000);

    private static Future<String> done(String value) {
        Future<String> f = new Future<>();
        f.setRunningOrNotifyCancel();
        f.setResult(value);
        return f;
    }

    /** A null collection is refused with a NullPointerException naming {@code fs}. */
    @Test
    void nullCollectionIsRefusedNamingFs() {
        assertThatThrownBy(() -> Futures.wait(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
        assertThatThrownBy(() -> Futures.wait(null, Duration.ZERO)).isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
        assertThatThrownBy(() -> Futures.wait(null, null, ReturnWhen.ALL_COMPLETED))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
        assertThatThrownBy(() -> Futures.asCompleted(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
        assertThatThrownBy(() -> Futures.asCompleted(null, Duration.ZERO)).isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
    }

    /** A null element is refused, naming {@code fs}, before anything waits; the other futures are untouched. */
    @Test
    void nullElementIsRefusedNamingFs() {
        Future<String> pending = new Future<>();
        List<Future<String>> withNull = Arrays.asList(pending, null);
        assertThatThrownBy(() -> Futures.wait(withNull)).isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
        assertThatThrownBy(() -> Futures.wait(withNull, null, ReturnWhen.FIRST_COMPLETED))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
        assertThatThrownBy(() -> Futures.asCompleted(withNull)).isInstanceOf(NullPointerException.class).hasMessageContaining("fs");
        // The pending future is still usable and no waiter is left behind on it.
        assertThat(pending.done()).isFalse();
        pending.setRunningOrNotifyCancel();
        pending.setResult("ok");
        assertThat(Futures.wait(List.of(pending)).done()).containsExactly(pending);
    }

    /** A null returnWhen is refused with a NullPointerException naming it. */
    @Test
    void nullReturnWhenIsRefused() {
        assertThatThrownBy(() -> Futures.wait(List.of(done("a")), Duration.ZERO, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("returnWhen");
    }

    /** wait over no futures returns at once with two empty sets, whatever returnWhen (as CPython). */
    @ParameterizedTest
    @EnumSource(ReturnWhen.class)
    void waitOverNoFuturesReturnsAtOnce(ReturnWhen returnWhen) {
        // Run in another thread so that a hang fails this test by itself with a clear message.
        CompletableFuture<DoneAndNotDone<Future<String>>> r =
                CompletableFuture.supplyAsync(() -> Futures.wait(List.<Future<String>>of(), null, returnWhen));
        DoneAndNotDone<Future<String>> result = r.completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
        assertThat(result).as("wait(empty, no timeout, %s) did not return within 10 s", returnWhen).isNotNull();
        assertThat(result.done()).isEmpty();
        assertThat(result.notDone()).isEmpty();
    }

    /** asCompleted over no futures yields nothing and does not wait. */
    @Test
    void asCompletedOverNoFuturesYieldsNothing() {
        Iterator<Future<String>> it = Futures.asCompleted(List.<Future<String>>of()).iterator();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    /** A negative timeout means "do not wait": wait returns the pending futures as not done. */
    @Test
    void negativeTimeoutDoesNotWait() {
        Future<String> pending = new Future<>();
        Future<String> a = done("a");
        for (ReturnWhen rw : ReturnWhen.values()) {
            DoneAndNotDone<Future<String>> r = Futures.wait(List.of(a, pending), Duration.ofSeconds(-5), rw);
            assertThat(r.done()).containsExactly(a);
            assertThat(r.notDone()).containsExactly(pending);
        }
        DoneAndNotDone<Future<String>> r = Futures.wait(List.of(pending), Duration.ofNanos(Long.MIN_VALUE));
        assertThat(r.notDone()).containsExactly(pending);
    }

    /** A negative timeout in asCompleted yields the done futures, then throws TimeoutError counting the rest. */
    @Test
    void negativeTimeoutInAsCompletedYieldsDoneThenTimesOut() {
        Future<String> a = done("a");
        Future<String> p1 = new Future<>();
        Future<String> p2 = new Future<>();
        Iterator<Future<String>> it = Futures.asCompleted(List.of(p1, a, p2), Duration.ofSeconds(-1)).iterator();
        assertThat(it.next()).isSameAs(a);
        assertThatThrownBy(it::next).isInstanceOf(TimeoutError.class).hasMessage("2 (of 3) futures unfinished");
        // The futures are untouched and still complete normally.
        p1.setRunningOrNotifyCancel();
        p1.setResult("p1");
        assertThat(p1.result(Duration.ZERO)).isEqualTo("p1");
    }

    /** An absurd timeout (a thousand years) means "no limit": wait blocks until the futures are done. */
    @Test
    void absurdTimeoutWaitsInsteadOfOverflowing() throws Exception {
        for (Duration absurd : List.of(ABSURD, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))) {
            Future<String> pending = new Future<>();
            CompletableFuture<DoneAndNotDone<Future<String>>> r =
                    Blocking.startAndAwaitParked("wait-absurd", () -> Futures.wait(List.of(pending), absurd));
            pending.setRunningOrNotifyCancel();
            pending.setResult("late");
            assertThat(r.get(30, TimeUnit.SECONDS).done()).containsExactly(pending);
        }
    }

    /** An absurd timeout in asCompleted is no limit either. */
    @Test
    void absurdTimeoutInAsCompletedWaits() throws Exception {
        Future<String> pending = new Future<>();
        Iterator<Future<String>> it = Futures.asCompleted(List.of(pending), ABSURD).iterator();
        CompletableFuture<Future<String>> next = Blocking.startAndAwaitParked("asCompleted-absurd", it::next);
        pending.cancel();
        assertThat(next.get(30, TimeUnit.SECONDS)).isSameAs(pending);
        assertThat(it.hasNext()).isFalse();
    }

    /** asCompleted's iterable is single pass; a second iterator is refused with IllegalStateException. */
    @Test
    void asCompletedRefusesSecondIteration() {
        Iterable<Future<String>> once = Futures.asCompleted(List.of(done("x")));
        once.iterator();
        assertThatThrownBy(once::iterator).isInstanceOf(IllegalStateException.class).hasMessageContaining("once");
    }

    /** A huge collection of one future repeated counts it once (duplicates count once). */
    @Test
    void manyDuplicatesCountOnce() {
        Future<String> a = done("a");
        Collection<Future<String>> many = new ArrayList<>(java.util.Collections.nCopies(100_000, a));
        assertThat(Futures.wait(many).done()).containsExactly(a);
        Iterator<Future<String>> it = Futures.asCompleted(many).iterator();
        assertThat(it.next()).isSameAs(a);
        assertThat(it.hasNext()).isFalse();
    }
}
