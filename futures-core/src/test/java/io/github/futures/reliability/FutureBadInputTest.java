package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.CancelledError;
import io.github.futures.Future;
import io.github.futures.InvalidStateError;
import io.github.futures.PoolLogCapture;
import io.github.futures.TimeoutError;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every public method of {@link Future} given null, negative, zero and absurd values: a clear
 * exception naming the argument, or the documented behaviour, and the future still usable after.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FutureBadInputTest {

    private static final List<Duration> ABSURD = List.of(Duration.ofDays(365_000),
            Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));

    /** result(null) and exception(null) are refused naming {@code timeout}; the future is unharmed. */
    @Test
    void nullTimeoutIsRefusedNamingTimeout() {
        Future<String> f = new Future<>();
        assertThatThrownBy(() -> f.result(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> f.exception(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        f.setRunningOrNotifyCancel();
        f.setResult("ok");
        // Refused also when the future is done: the argument is checked, not the state.
        assertThatThrownBy(() -> f.result(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThat(f.result(Duration.ZERO)).isEqualTo("ok");
    }

    /** Zero and negative timeouts mean "do not wait": TimeoutError at once when pending, the value when done. */
    @Test
    void zeroAndNegativeTimeoutsDoNotWait() {
        Future<String> f = new Future<>();
        for (Duration d : List.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofDays(-365_000),
                Duration.ofSeconds(Long.MIN_VALUE))) {
            assertThatThrownBy(() -> f.result(d)).as("result(%s)", d).isInstanceOf(TimeoutError.class);
            assertThatThrownBy(() -> f.exception(d)).as("exception(%s)", d).isInstanceOf(TimeoutError.class);
        }
        f.setRunningOrNotifyCancel();
        f.setException(new IllegalStateException("boom"));
        assertThat(f.exception(Duration.ofSeconds(-1))).hasMessage("boom");
        assertThatThrownBy(() -> f.result(Duration.ofSeconds(-1))).hasMessage("boom");
    }

    /** An absurd timeout (a thousand years, or the largest Duration) waits without limit instead of overflowing. */
    @Test
    void absurdTimeoutWaitsUntilDone() throws Exception {
        for (Duration absurd : ABSURD) {
            Future<String> f = new Future<>();
            CompletableFuture<String> r = Blocking.startAndAwaitParked("result-absurd", () -> f.result(absurd));
            f.setRunningOrNotifyCancel();
            f.setResult("late");
            assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo("late");

            Future<String> g = new Future<>();
            CompletableFuture<Throwable> e = Blocking.startAndAwaitParked("exception-absurd", () -> g.exception(absurd));
            g.cancel();
            // Take the outcome as a value: CompletableFuture.get rethrows a CancellationException as
            // is on JDK 17 but wraps it in a new one on recent JDKs.
            assertThat(e.handle((value, thrown) -> thrown).get(30, TimeUnit.SECONDS)).isInstanceOf(CancelledError.class);
        }
    }

    /** get(timeout, null) is refused naming {@code unit}; get with a negative timeout times out at once. */
    @Test
    void getChecksItsUnitAndTreatsNegativeAsZero() {
        Future<String> f = new Future<>();
        assertThatThrownBy(() -> f.get(1, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("unit");
        assertThatThrownBy(() -> f.get(-1, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThatThrownBy(() -> f.get(Long.MIN_VALUE, TimeUnit.DAYS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
    }

    /** get(Long.MAX_VALUE, DAYS) waits without limit instead of overflowing. */
    @Test
    void getWithAbsurdTimeoutWaits() throws Exception {
        Future<String> f = new Future<>();
        CompletableFuture<String> r = Blocking.startAndAwaitParked("get-absurd", () -> f.get(Long.MAX_VALUE, TimeUnit.DAYS));
        f.setRunningOrNotifyCancel();
        f.setException(new java.io.IOException("io"));
        assertThatThrownBy(() -> r.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ExecutionException.class).cause().hasMessage("io");
    }

    /** addDoneCallback(null) is refused naming {@code fn}, pending or done; later callbacks still run once. */
    @Test
    void nullCallbackIsRefused() {
        Future<String> f = new Future<>();
        assertThatThrownBy(() -> f.addDoneCallback(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        AtomicInteger calls = new AtomicInteger();
        f.addDoneCallback(done -> calls.incrementAndGet());
        f.cancel();
        assertThatThrownBy(() -> f.addDoneCallback(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThat(calls).hasValue(1);
    }

    /** setException(null) is refused naming {@code exception} and leaves the future pending. */
    @Test
    void nullExceptionIsRefusedAndFutureStaysPending() {
        Future<String> f = new Future<>();
        f.setRunningOrNotifyCancel();
        assertThatThrownBy(() -> f.setException(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("exception");
        assertThat(f.done()).isFalse();
        assertThat(f.running()).isTrue();
        f.setResult("fine");
        assertThat(f.result(Duration.ZERO)).isEqualTo("fine");
    }

    /** setResult(null) is allowed: the value is null and exception() is null. */
    @Test
    void nullResultIsAValue() {
        Future<String> f = new Future<>();
        f.setRunningOrNotifyCancel();
        f.setResult(null);
        assertThat(f.done()).isTrue();
        assertThat(f.result(Duration.ZERO)).isNull();
        assertThat(f.exception(Duration.ZERO)).isNull();
    }

    /** Completing a done future again is an InvalidStateError and does not change its outcome. */
    @Test
    void completingTwiceIsRefusedAndKeepsTheFirstOutcome() {
        Future<String> f = new Future<>();
        f.setRunningOrNotifyCancel();
        f.setResult("first");
        assertThatThrownBy(() -> f.setResult("second")).isInstanceOf(InvalidStateError.class);
        assertThatThrownBy(() -> f.setException(new RuntimeException())).isInstanceOf(InvalidStateError.class);
        assertThatThrownBy(f::setRunningOrNotifyCancel).isInstanceOf(InvalidStateError.class);
        assertThat(f.cancel()).isFalse();
        assertThat(f.result(Duration.ZERO)).isEqualTo("first");
    }

    /** setRunningOrNotifyCancel on a cancelled future says false once; the second call is an InvalidStateError. */
    @Test
    void notifyCancelTwiceIsRefused() {
        Future<String> f = new Future<>();
        assertThat(f.cancel()).isTrue();
        assertThat(f.setRunningOrNotifyCancel()).isFalse();
        assertThatThrownBy(f::setRunningOrNotifyCancel).isInstanceOf(InvalidStateError.class);
        assertThatThrownBy(() -> f.setResult("x")).isInstanceOf(InvalidStateError.class);
        assertThat(f.cancelled()).isTrue();
        assertThat(f.cancel()).isTrue();
    }

    /** An Error raised by a callback does not stop the other callbacks nor escape into the completing thread. */
    @Test
    void throwingCallbacksDoNotHarmTheFuture() {
        Future<String> f = new Future<>();
        AtomicInteger after = new AtomicInteger();
        f.addDoneCallback(done -> {
            throw new StackOverflowError("callback");
        });
        f.addDoneCallback(done -> after.incrementAndGet());
        try (PoolLogCapture log = new PoolLogCapture(Future.class.getName())) {
            f.setRunningOrNotifyCancel();
            f.setResult("v");
            f.addDoneCallback(done -> {
                throw new IllegalStateException("late callback");
            });
            assertThat(log.messagesAt(Level.SEVERE)).as("both failing callbacks logged").hasSize(2);
        }
        assertThat(after).hasValue(1);
        assertThat(f.result(Duration.ZERO)).isEqualTo("v");
    }
}
