package io.github.futures;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck checks of the Future state machine: cancel racing setRunningOrNotifyCancel, setResult and
 * setException, and addDoneCallback racing completion. Every interleaving the model checker tries
 * must be linearizable (exactly one terminal state, the losers told with false or InvalidStateError),
 * and after each run every callback has run exactly once if the future is done, never otherwise.
 *
 * <p>Regression: a pending future completed directly (setResult/setException without
 * setRunningOrNotifyCancel) looked running, and neither done nor cancellable, while it was between
 * its CAS and the write of FINISHED; Lincheck found {@code outcome(): running} beside
 * {@code setException(): set} on a future that never ran.
 */
@Tag("lincheck") // run in a JVM of their own: see the surefire set-up in pom.xml
@Timeout(120)
public class FutureLincheckTest {

    private static final int MAX_CALLBACKS = 64;

    private final Future<Integer> future = new Future<>();
    private final AtomicInteger callbacksAdded = new AtomicInteger();
    private final AtomicIntegerArray callbackRuns = new AtomicIntegerArray(MAX_CALLBACKS);
    private final AtomicIntegerArray callbackSawNotDone = new AtomicIntegerArray(MAX_CALLBACKS);

    @Operation
    public boolean cancel() {
        return future.cancel();
    }

    @Operation
    public String setRunningOrNotifyCancel() {
        try {
            return future.setRunningOrNotifyCancel() ? "running" : "cancelled";
        } catch (InvalidStateError e) {
            return "invalid";
        }
    }

    @Operation
    public String setResult() {
        try {
            future.setResult(1);
            return "set";
        } catch (InvalidStateError e) {
            return "invalid";
        }
    }

    @Operation
    public String setException() {
        try {
            future.setException(new IllegalStateException("e"));
            return "set";
        } catch (InvalidStateError e) {
            return "invalid";
        }
    }

    @Operation
    public void addDoneCallback() {
        int i = callbacksAdded.getAndIncrement();
        future.addDoneCallback(f -> {
            callbackRuns.incrementAndGet(i);
            if (!f.done()) {
                callbackSawNotDone.incrementAndGet(i);
            }
        });
    }

    @Operation
    public String outcome() {
        try {
            Object r = future.result(Duration.ZERO);
            return "result " + r;
        } catch (CancelledError e) {
            return "cancelled";
        } catch (TimeoutError e) {
            return "not done";
        } catch (IllegalStateException e) {
            return "exception";
        }
    }

    @Operation
    public boolean running() {
        return future.running();
    }

    @Operation
    public boolean done() {
        return future.done();
    }

    /** After each run: each callback ran exactly once if the future is done, never otherwise. */
    @Validate
    public void eachCallbackRanOnceIfDone() {
        int expected = future.done() ? 1 : 0;
        for (int i = 0; i < callbacksAdded.get(); i++) {
            if (callbackRuns.get(i) != expected) {
                throw new IllegalStateException("callback " + i + " ran " + callbackRuns.get(i) + " times, expected "
                        + expected + " for " + future);
            }
            if (callbackSawNotDone.get(i) != 0) {
                throw new IllegalStateException("callback " + i + " saw the future not done");
            }
        }
    }

    /** Exhaustive-ish interleavings by the model checker. */
    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(FutureLincheckTest.class);
    }

    /** Real threads, real races. */
    @Test
    void stress() {
        new StressOptions()
                .iterations(4)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(2)
                .check(FutureLincheckTest.class);
    }
}
