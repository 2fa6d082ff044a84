package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A future's owner may complete or cancel it from outside ({@code setResult}, {@code setException},
 * {@code cancel} are public): the pool then drops the call's outcome, or skips the call, and goes on.
 * One worker, so that a reader or dispatcher that died would leave every later call hanging.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessFutureOwnerTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private static SerializableCallable<Integer> waitThenReturn(Gate gate, int n) {
        return () -> {
            gate.await();
            return n;
        };
    }

    private static void shutdownReturns(ProcessPoolExecutor pool) throws Exception {
        CompletableFuture.runAsync(() -> pool.shutdown(true, false)).get(60, TimeUnit.SECONDS);
    }

    /** A running call whose future its owner completed keeps the owner's value; the worker's result is dropped and the next call runs. */
    @Test
    void resultOfARunningCallWhoseOwnerCompletedItIsDropped() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        assertThat(pool.submit(() -> 0).result(LONG)).isZero(); // the worker is up: a submit now dispatches at once
        Gate gate = Gate.create();
        Future<Integer> set = pool.submit(waitThenReturn(gate, 1));
        Future<Integer> failed = pool.submit(waitThenReturn(gate, 2)); // sent ahead to the same worker
        assertThat(set.running()).isTrue();
        assertThat(failed.running()).isTrue();
        set.setResult(42);
        failed.setException(new IllegalStateException("owner gave up"));
        gate.open();
        assertThat(pool.submit(() -> 7).result(LONG)).isEqualTo(7);
        assertThat(set.result()).isEqualTo(42);
        assertThat(failed.exception()).hasMessage("owner gave up");
        assertThat(pool.isBroken()).isFalse();
        shutdownReturns(pool);
    }

    /** Queued calls whose futures their owner cancelled or failed are skipped; the calls around them run. */
    @Test
    void queuedCallsCompletedByTheirOwnerAreSkipped() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        Gate gate = Gate.create();
        Future<Integer> first = pool.submit(waitThenReturn(gate, 1));
        Future<Integer> ahead = pool.submit(waitThenReturn(gate, 2));
        Future<Integer> cancelled = pool.submit(() -> 3);
        Future<Integer> failed = pool.submit(() -> 4);
        Future<Integer> set = pool.submit(() -> 5);
        assertThat(cancelled.cancel()).isTrue();
        failed.setException(new IllegalStateException("owner gave up"));
        set.setResult(50);
        gate.open();
        Future<Integer> after = pool.submit(() -> 6);
        assertThat(first.result(LONG)).isEqualTo(1);
        assertThat(ahead.result(LONG)).isEqualTo(2);
        assertThat(after.result(LONG)).isEqualTo(6);
        assertThat(cancelled.cancelled()).isTrue();
        assertThat(failed.exception()).hasMessage("owner gave up");
        assertThat(set.result()).isEqualTo(50);
        assertThat(pool.isBroken()).isFalse();
        shutdownReturns(pool);
    }
}
