package io.github.futures;

import static io.github.futures.FutureStates.cancelled;
import static io.github.futures.FutureStates.cancelledAndNotified;
import static io.github.futures.FutureStates.failed;
import static io.github.futures.FutureStates.finished;
import static io.github.futures.FutureStates.listenerCount;
import static io.github.futures.FutureStates.pending;
import static io.github.futures.FutureStates.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Future's own contract (API.md's Future section; CPython's test_future). */
@Timeout(30)
class FutureTest {

    // ------------------------------------------------------------------ helpers

    /** A thread that runs {@code body}, remembering what it threw and whether it ended interrupted. */
    private static final class Waiter extends Thread {
        final AtomicReference<Object> outcome = new AtomicReference<>();
        volatile boolean interruptedAfter;
        private final ThrowingSupplier body;

        Waiter(ThrowingSupplier body) {
            this.body = body;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                outcome.set(body.get());
            } catch (Throwable t) {
                outcome.set(t);
            }
            interruptedAfter = Thread.currentThread().isInterrupted();
        }
    }

    @FunctionalInterface
    private interface ThrowingSupplier {
        Object get() throws Exception;
    }

    /** Starts a waiter on {@code f} and returns once it is parked in it (its node is on the future). */
    private static Waiter startWaiting(Future<?> f, ThrowingSupplier body) {
        Waiter w = new Waiter(body);
        w.start();
        while (listenerCount(f) == 0 || (w.getState() != Thread.State.WAITING && w.getState() != Thread.State.TIMED_WAITING)) {
            if (!w.isAlive()) {
                throw new AssertionError("waiter ended early: " + w.outcome.get());
            }
            Thread.yield();
        }
        return w;
    }

    // ------------------------------------------------------------------ states

    /** A new future is pending: not running, not done, not cancelled. */
    @Test
    void newFutureIsPending() {
        Future<Integer> f = new Future<>();
        assertThat(f.running()).isFalse();
        assertThat(f.done()).isFalse();
        assertThat(f.cancelled()).isFalse();
        assertThat(f.isDone()).isFalse();
        assertThat(f.isCancelled()).isFalse();
        assertThat(f.toString()).contains("state=pending");
    }

    /** Each state answers running/done/cancelled as CPython's test_future checks them. */
    @Test
    void stateQueriesMatchEveryState() {
        assertThat(List.of(running().running(), running().done(), running().cancelled())).containsExactly(true, false, false);
        assertThat(List.of(cancelled().running(), cancelled().done(), cancelled().cancelled())).containsExactly(false, true, true);
        assertThat(List.of(cancelledAndNotified().running(), cancelledAndNotified().done(), cancelledAndNotified().cancelled()))
                .containsExactly(false, true, true);
        assertThat(List.of(finished(1).running(), finished(1).done(), finished(1).cancelled())).containsExactly(false, true, false);
        Future<Object> failed = failed(new IllegalStateException());
        assertThat(List.of(failed.running(), failed.done(), failed.cancelled())).containsExactly(false, true, false);
        assertThat(running().toString()).contains("state=running");
        assertThat(cancelled().toString()).contains("state=cancelled");
        assertThat(finished(42).toString()).contains("state=finished returned java.lang.Integer");
        assertThat(failed.toString()).contains("state=finished raised java.lang.IllegalStateException");
    }

    // ------------------------------------------------------------------ cancel

    /** cancel() on a pending future succeeds, makes it done, and runs its callbacks once. */
    @Test
    void cancelWhilePendingSucceedsAndRunsCallbacksOnce() {
        Future<Integer> f = pending();
        AtomicInteger calls = new AtomicInteger();
        f.addDoneCallback(done -> calls.incrementAndGet());
        assertThat(f.cancel()).isTrue();
        assertThat(f.cancelled()).isTrue();
        assertThat(f.done()).isTrue();
        assertThat(f.running()).isFalse();
        assertThat(f.cancel()).as("cancel again").isTrue();
        assertThat(calls).hasValue(1);
        assertThatThrownBy(f::result).isInstanceOf(CancelledError.class).isInstanceOf(CancellationException.class);
        assertThatThrownBy(f::exception).isInstanceOf(CancelledError.class);
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isInstanceOf(CancelledError.class);
    }

    /** cancel() on a running future fails and changes nothing, whatever mayInterruptIfRunning says. */
    @Test
    void cancelWhileRunningFailsAndDoesNotInterrupt() {
        Future<Integer> f = running();
        assertThat(f.cancel()).isFalse();
        Thread.interrupted();
        assertThat(f.cancel(true)).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(f.running()).isTrue();
        assertThat(f.cancelled()).isFalse();
        f.setResult(5);
        assertThat(f.result()).isEqualTo(5);
    }

    /** cancel() on a finished future fails. */
    @Test
    void cancelAfterFinishingFails() {
        assertThat(finished(1).cancel()).isFalse();
        assertThat(failed(new IllegalStateException()).cancel()).isFalse();
        assertThat(cancelledAndNotified().cancel()).isTrue();
    }

    // ------------------------------------------------------------------ result / exception

    /** result() returns the value, including null. */
    @Test
    void resultReturnsTheValue() {
        assertThat(finished(42).result()).isEqualTo(42);
        assertThat(finished(null).result()).isNull();
        assertThat(finished(42).exception()).isNull();
        assertThat(finished(42).result(Duration.ZERO)).isEqualTo(42);
        assertThat(finished(42).exception(Duration.ZERO)).isNull();
    }

    /** An unchecked exception is rethrown as the very same object; exception() returns it. */
    @Test
    void resultRethrowsAnUncheckedExceptionAsIs() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        Future<Object> f = failed(boom);
        assertThat(catchThrowable(f::result)).isSameAs(boom);
        assertThat(catchThrowable(() -> f.result(Duration.ofSeconds(1)))).isSameAs(boom);
        assertThat(f.exception()).isSameAs(boom);
        AssertionError error = new AssertionError("error");
        assertThat(catchThrowable(failed(error)::result)).isSameAs(error);
    }

    /** A checked exception is wrapped in CompletionException by result(); exception() never wraps. */
    @Test
    void resultWrapsACheckedExceptionInCompletionException() {
        IOException io = new IOException("io");
        Future<Object> f = failed(io);
        Throwable thrown = catchThrowable(f::result);
        assertThat(thrown).isExactlyInstanceOf(CompletionException.class);
        assertThat(thrown.getCause()).isSameAs(io);
        assertThat(f.exception()).isSameAs(io);
        assertThat(f.exception(Duration.ZERO)).isSameAs(io);
    }

    /** Duration.ZERO means "do not wait": a pending future times out at once, a done one answers. */
    @Test
    void zeroTimeoutDoesNotWait() {
        Future<Integer> f = pending();
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isInstanceOf(TimeoutError.class);
        assertThatThrownBy(() -> f.exception(Duration.ZERO)).isInstanceOf(TimeoutError.class);
        assertThat(listenerCount(f)).as("a zero wait leaves no waiter behind").isZero();
        f.setResult(1);
        assertThat(f.result(Duration.ZERO)).isEqualTo(1);
    }

    /** A negative timeout is treated as zero. */
    @Test
    void negativeTimeoutIsTreatedAsZero() {
        Future<Integer> f = pending();
        assertThatThrownBy(() -> f.result(Duration.ofSeconds(-5))).isInstanceOf(TimeoutError.class);
        assertThatThrownBy(() -> f.exception(Duration.ofNanos(-1))).isInstanceOf(TimeoutError.class);
        assertThat(finished(3).result(Duration.ofDays(-1))).isEqualTo(3);
    }

    /** A null timeout is rejected with NullPointerException. */
    @Test
    void nullTimeoutIsRejected() {
        Future<Integer> f = finished(1);
        assertThatThrownBy(() -> f.result(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.exception(null)).isInstanceOf(NullPointerException.class);
    }

    /** result(timeout) throws TimeoutError when the future is not done in time, and leaves no waiter behind. */
    @Test
    void resultTimesOutWhenNotDoneInTime() {
        Future<Integer> f = pending();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> f.result(Duration.ofMillis(50))).isInstanceOf(TimeoutError.class);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThatThrownBy(() -> f.exception(Duration.ofMillis(20))).isInstanceOf(TimeoutError.class);
        assertThat(listenerCount(f)).isZero();
    }

    /** A huge timeout (a thousand centuries) means waiting for ever, not an overflow into "already late". */
    @Test
    void hugeTimeoutMeansForeverNotOverflow() throws InterruptedException {
        for (Duration huge : List.of(Duration.ofDays(365_000), Duration.ofSeconds(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE))) {
            Future<Integer> f = pending();
            Waiter w = startWaiting(f, () -> f.result(huge));
            Future<Integer> g = pending();
            Waiter x = startWaiting(g, () -> g.exception(huge));
            f.setResult(7);
            g.setException(new IllegalStateException("x"));
            w.join();
            x.join();
            assertThat(w.outcome.get()).as("result(%s)", huge).isEqualTo(7);
            assertThat(x.outcome.get()).as("exception(%s)", huge).isInstanceOf(IllegalStateException.class);
        }
    }

    /** result() waits until another thread completes the future; every waiting thread wakes. */
    @Test
    void resultWaitsForAnotherThreadAndWakesEveryWaiter() throws InterruptedException {
        Future<String> f = pending();
        List<Waiter> waiters = new ArrayList<>();
        waiters.add(startWaiting(f, f::result));
        waiters.add(startWaiting(f, () -> f.result(Duration.ofMinutes(5))));
        waiters.add(startWaiting(f, f::exception));
        waiters.add(startWaiting(f, f::get));
        assertThat(listenerCount(f)).isEqualTo(4);
        f.setRunningOrNotifyCancel();
        f.setResult("hello");
        for (Waiter w : waiters) {
            w.join();
        }
        assertThat(waiters.get(0).outcome.get()).isEqualTo("hello");
        assertThat(waiters.get(1).outcome.get()).isEqualTo("hello");
        assertThat(waiters.get(2).outcome.get()).isNull();
        assertThat(waiters.get(3).outcome.get()).isEqualTo("hello");
    }

    /** A thread interrupted while it waits gets an unchecked exception caused by InterruptedException, interrupt status kept. */
    @Test
    void interruptWhileWaitingThrowsUncheckedWithInterruptedCauseAndKeepsStatus() throws InterruptedException {
        for (boolean timed : new boolean[] {false, true}) {
            Future<Integer> f = pending();
            Waiter w = startWaiting(f, () -> timed ? f.result(Duration.ofMinutes(5)) : f.result());
            w.interrupt();
            w.join();
            assertThat(w.outcome.get()).isInstanceOf(RuntimeException.class);
            assertThat(((Throwable) w.outcome.get()).getCause()).isInstanceOf(InterruptedException.class);
            assertThat(w.interruptedAfter).as("interrupt status still set").isTrue();
            assertThat(listenerCount(f)).as("the interrupted waiter left").isZero();
            assertThat(f.done()).isFalse();
        }
        Future<Integer> g = pending();
        Waiter w = startWaiting(g, g::exception);
        w.interrupt();
        w.join();
        assertThat(((Throwable) w.outcome.get()).getCause()).isInstanceOf(InterruptedException.class);
        assertThat(w.interruptedAfter).isTrue();
    }

    /** A thread already interrupted when it calls result() on a pending future fails the same way. */
    @Test
    void interruptedBeforeWaitingThrowsUncheckedAndKeepsStatus() {
        Future<Integer> f = pending();
        Thread.currentThread().interrupt();
        try {
            Throwable thrown = catchThrowable(f::result);
            assertThat(thrown).isInstanceOf(RuntimeException.class).hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    /** An interrupted thread still gets the result of a future that is already done. */
    @Test
    void interruptedThreadStillGetsADoneResult() {
        Thread.currentThread().interrupt();
        try {
            assertThat(finished(9).result()).isEqualTo(9);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    // ------------------------------------------------------------------ callbacks

    /** Callbacks run in the order they were added, each once, with the future, in the completing thread. */
    @Test
    void callbacksRunInOrderOnceInTheCompletingThread() throws InterruptedException {
        Future<Integer> f = pending();
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 5; i++) {
            int n = i;
            f.addDoneCallback(done -> calls.add(n + ":" + Thread.currentThread().getName() + ":" + done.result()));
        }
        Thread completer = new Thread(() -> f.setResult(11), "completer");
        completer.start();
        completer.join();
        assertThat(calls).containsExactly("0:completer:11", "1:completer:11", "2:completer:11", "3:completer:11", "4:completer:11");
    }

    /** A callback added to a done future runs at once in the calling thread. */
    @Test
    void callbackOnADoneFutureRunsAtOnceInTheCallingThread() {
        for (Future<Object> f : List.<Future<Object>>of(finished("x"), failed(new IOException()), cancelled(), cancelledAndNotified())) {
            List<Thread> ranIn = new ArrayList<>();
            f.addDoneCallback(done -> ranIn.add(Thread.currentThread()));
            assertThat(ranIn).containsExactly(Thread.currentThread());
        }
    }

    /** A callback sees the future done; it runs for every way of finishing. */
    @Test
    void callbackSeesTheFutureDoneForEveryOutcome() {
        List<Consumer<Future<Object>>> completions = List.of(
                f -> f.setResult("v"),
                f -> f.setException(new IllegalStateException()),
                Future::cancel);
        for (Consumer<Future<Object>> complete : completions) {
            Future<Object> f = pending();
            AtomicInteger calls = new AtomicInteger();
            AtomicReference<Boolean> sawDone = new AtomicReference<>();
            f.addDoneCallback(done -> {
                calls.incrementAndGet();
                sawDone.set(done.done() && done == f);
            });
            complete.accept(f);
            assertThat(calls).hasValue(1);
            assertThat(sawDone.get()).isTrue();
        }
    }

    /** A throwing callback is logged, and the callbacks after it still run. */
    @Test
    void throwingCallbackIsLoggedAndTheRestStillRun() {
        Future<Integer> f = pending();
        List<Integer> ran = new ArrayList<>();
        RuntimeException boom = new IllegalStateException("callback fails on purpose");
        f.addDoneCallback(done -> ran.add(1));
        f.addDoneCallback(done -> {
            throw boom;
        });
        f.addDoneCallback(done -> ran.add(3));
        try (PoolLogCapture log = new PoolLogCapture(Future.class.getName())) {
            f.setResult(1);
            assertThat(ran).containsExactly(1, 3);
            assertThat(log.records).hasSize(1);
            assertThat(log.records.get(0).getLevel()).isEqualTo(Level.SEVERE);
            assertThat(log.records.get(0).getThrown()).isSameAs(boom);
            // also when the callback runs at once on a done future
            f.addDoneCallback(done -> {
                throw boom;
            });
            assertThat(log.records).hasSize(2);
        }
        assertThat(f.result()).isEqualTo(1);
    }

    /**
     * Callbacks run without any lock held: while a callback blocks, another thread can query the
     * future, wait for it, add callbacks and complete other futures it waits on.
     */
    @Test
    void callbacksRunWithoutALockSoOtherThreadsCanUseTheFuture() throws Exception {
        Future<Integer> f = pending();
        CountDownLatch inCallback = new CountDownLatch(1);
        CompletableFuture<String> otherThread = new CompletableFuture<>();
        f.addDoneCallback(done -> {
            inCallback.countDown();
            try {
                // blocks the completing thread until the other thread has used the future
                otherThread.get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread completer = new Thread(() -> f.setResult(3), "completer");
        completer.start();
        assertThat(inCallback.await(20, TimeUnit.SECONDS)).isTrue();
        Thread other = new Thread(() -> {
            AtomicInteger ranAtOnce = new AtomicInteger();
            f.addDoneCallback(done -> ranAtOnce.incrementAndGet());
            otherThread.complete(f.done() + " " + f.result() + " " + f.result(Duration.ZERO) + " "
                    + Futures.wait(List.of(f)).done().size() + " " + ranAtOnce.get());
        }, "other");
        other.start();
        other.join(20_000);
        completer.join(20_000);
        assertThat(otherThread.get(1, TimeUnit.SECONDS)).isEqualTo("true 3 3 1 1");
    }

    /** addDoneCallback(null) throws NullPointerException. */
    @Test
    void addDoneCallbackRejectsNull() {
        assertThatThrownBy(() -> pending().addDoneCallback(null)).isInstanceOf(NullPointerException.class);
    }

    // ------------------------------------------------------------------ executor side

    /** setRunningOrNotifyCancel: PENDING -> RUNNING and true. */
    @Test
    void setRunningOrNotifyCancelMovesAPendingFutureToRunning() {
        Future<Integer> f = pending();
        assertThat(f.setRunningOrNotifyCancel()).isTrue();
        assertThat(f.running()).isTrue();
        assertThatThrownBy(f::setRunningOrNotifyCancel).as("again").isInstanceOf(InvalidStateError.class);
    }

    /** setRunningOrNotifyCancel on a cancelled future answers false once; after that it is an InvalidStateError. */
    @Test
    void setRunningOrNotifyCancelOnACancelledFutureAnswersFalseOnce() {
        Future<Integer> f = pending();
        AtomicInteger calls = new AtomicInteger();
        f.addDoneCallback(done -> calls.incrementAndGet());
        f.cancel();
        assertThat(f.setRunningOrNotifyCancel()).isFalse();
        assertThat(f.cancelled()).isTrue();
        assertThat(f.done()).isTrue();
        assertThat(calls).as("callbacks are not run again").hasValue(1);
        assertThatThrownBy(f::setRunningOrNotifyCancel).isInstanceOf(InvalidStateError.class);
    }

    /** setRunningOrNotifyCancel on a finished future is an InvalidStateError. */
    @Test
    void setRunningOrNotifyCancelOnAFinishedFutureIsAnInvalidStateError() {
        assertThatThrownBy(() -> finished(1).setRunningOrNotifyCancel()).isInstanceOf(InvalidStateError.class);
        assertThatThrownBy(() -> failed(new IOException()).setRunningOrNotifyCancel()).isInstanceOf(InvalidStateError.class);
    }

    /** setResult/setException on a done future are InvalidStateErrors and change nothing. */
    @Test
    void completingADoneFutureIsAnInvalidStateError() {
        Future<Integer> f = finished(1);
        assertThatThrownBy(() -> f.setResult(2)).isInstanceOf(InvalidStateError.class).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.setException(new IOException())).isInstanceOf(InvalidStateError.class);
        assertThat(f.result()).isEqualTo(1);
        for (Future<Integer> c : List.<Future<Integer>>of(cancelled(), cancelledAndNotified())) {
            assertThatThrownBy(() -> c.setResult(2)).isInstanceOf(InvalidStateError.class);
            assertThatThrownBy(() -> c.setException(new IOException())).isInstanceOf(InvalidStateError.class);
            assertThat(c.cancelled()).isTrue();
        }
        Future<Integer> g = failed(new IOException("first"));
        assertThatThrownBy(() -> g.setResult(2)).isInstanceOf(InvalidStateError.class);
        assertThat(g.exception()).hasMessage("first");
    }

    /** A pending future may be completed without being set running (as CPython allows). */
    @Test
    void pendingFutureCanBeCompletedDirectly() {
        Future<Integer> f = pending();
        f.setResult(3);
        assertThat(f.result()).isEqualTo(3);
        Future<Integer> g = pending();
        g.setException(new IllegalStateException("e"));
        assertThat(g.exception()).hasMessage("e");
    }

    /** setException(null) is rejected and the future stays pending. */
    @Test
    void setExceptionRejectsNull() {
        Future<Integer> f = pending();
        assertThatThrownBy(() -> f.setException(null)).isInstanceOf(NullPointerException.class);
        assertThat(f.done()).isFalse();
    }

    // ------------------------------------------------------------------ java.util.concurrent.Future

    /** get() keeps the JDK contract: value, ExecutionException with the cause, CancellationException. */
    @Test
    void getKeepsTheJdkContract() throws Exception {
        assertThat(finished(5).get()).isEqualTo(5);
        assertThat(finished(5).get(1, TimeUnit.SECONDS)).isEqualTo(5);
        IllegalStateException unchecked = new IllegalStateException("u");
        assertThatThrownBy(() -> failed(unchecked).get()).isExactlyInstanceOf(ExecutionException.class).cause().isSameAs(unchecked);
        IOException checked = new IOException("c");
        assertThatThrownBy(() -> failed(checked).get(1, TimeUnit.SECONDS)).isExactlyInstanceOf(ExecutionException.class).cause().isSameAs(checked);
        assertThatThrownBy(() -> cancelled().get()).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> pending().get(10, TimeUnit.MILLISECONDS)).isExactlyInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThatThrownBy(() -> pending().get(0, TimeUnit.SECONDS)).isExactlyInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThatThrownBy(() -> pending().get(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(cancelled().isCancelled()).isTrue();
        assertThat(finished(1).isDone()).isTrue();
    }

    /** get() with a huge timeout waits for the value rather than overflowing into an instant timeout. */
    @Test
    void getWithAHugeTimeoutWaits() throws InterruptedException {
        Future<Integer> f = pending();
        Waiter w = startWaiting(f, () -> f.get(Long.MAX_VALUE, TimeUnit.DAYS));
        f.setResult(8);
        w.join();
        assertThat(w.outcome.get()).isEqualTo(8);
    }

    /** get() throws InterruptedException when the waiting thread is interrupted (JDK convention: status cleared). */
    @Test
    void getThrowsInterruptedExceptionWhenInterrupted() throws InterruptedException {
        Future<Integer> f = pending();
        Waiter w = startWaiting(f, f::get);
        w.interrupt();
        w.join();
        assertThat(w.outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(w.interruptedAfter).isFalse();
    }

    // ------------------------------------------------------------------ toCompletableFuture

    /** toCompletableFuture completes normally with the value, before or after the future finishes. */
    @Test
    void toCompletableFutureCompletesNormally() {
        Future<String> f = pending();
        CompletableFuture<String> before = f.toCompletableFuture();
        assertThat(before).isNotDone();
        f.setResult("v");
        assertThat(before.join()).isEqualTo("v");
        assertThat(f.toCompletableFuture().join()).isEqualTo("v");
    }

    /** toCompletableFuture completes exceptionally with the call's exception. */
    @Test
    void toCompletableFutureCompletesExceptionally() {
        Future<String> f = pending();
        CompletableFuture<String> cf = f.toCompletableFuture();
        IOException io = new IOException("x");
        f.setException(io);
        assertThat(cf).isCompletedExceptionally();
        assertThat(cf.isCancelled()).isFalse();
        assertThatThrownBy(cf::join).isInstanceOf(CompletionException.class).cause().isSameAs(io);
        assertThatThrownBy(failed(io).toCompletableFuture()::join).cause().isSameAs(io);
    }

    /** toCompletableFuture of a cancelled future is cancelled; cancelling the stage cancels a pending future. */
    @Test
    void toCompletableFutureIsCancelledWithTheFuture() {
        Future<String> f = pending();
        CompletableFuture<String> cf = f.toCompletableFuture();
        f.cancel();
        assertThat(cf.isCancelled()).isTrue();
        assertThatThrownBy(cf::join).isInstanceOf(CancellationException.class);
        assertThat(cancelled().toCompletableFuture().isCancelled()).isTrue();

        Future<String> g = pending();
        assertThat(g.toCompletableFuture().cancel(false)).isTrue();
        assertThat(g.cancelled()).isTrue();
    }

    /** Cancelling the stage of a running future returns false, and both views then report its result. */
    @Test
    void toCompletableFutureCancelAgreesWithARunningFuture() {
        Future<String> f = pending();
        assertThat(f.setRunningOrNotifyCancel()).isTrue();
        CompletableFuture<String> cf = f.toCompletableFuture();
        assertThat(cf.cancel(true)).as("cancel of a running call's stage").isFalse();
        assertThat(cf.isCancelled()).isFalse();
        assertThat(cf).isNotDone();
        assertThat(f.cancelled()).isFalse();
        f.setResult("ran");
        assertThat(cf.join()).isEqualTo("ran");
        assertThat(f.result()).isEqualTo("ran");
        assertThat(cf.cancel(true)).as("cancel after it finished").isFalse();
        assertThat(cf.isCancelled()).isFalse();
    }

    /** Cancelling the stage of a pending future cancels both; the future's waiters hear of it once. */
    @Test
    void toCompletableFutureCancelOfAPendingFutureCancelsBoth() {
        Future<String> f = pending();
        AtomicInteger told = new AtomicInteger();
        f.addDoneCallback(done -> told.incrementAndGet());
        CompletableFuture<String> cf = f.toCompletableFuture();
        assertThat(cf.cancel(false)).isTrue();
        assertThat(cf.isCancelled()).isTrue();
        assertThat(f.cancelled()).isTrue();
        assertThat(cf.cancel(false)).as("cancel again").isTrue();
        assertThat(f.setRunningOrNotifyCancel()).as("the executor drops the call").isFalse();
        assertThat(told).hasValue(1);
    }

    /** The stage of a future run by a pool: cancel while the call runs is refused, and the call's result wins in both. */
    @Test
    void toCompletableFutureOfARunningPoolCallAgreesWithIt() throws InterruptedException {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
        try {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<String> f = pool.submit(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            Future<String> queued = pool.submit(() -> "never");
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> cf = f.toCompletableFuture();
            CompletableFuture<String> queuedCf = queued.toCompletableFuture();
            assertThat(cf.cancel(true)).isFalse();
            assertThat(queuedCf.cancel(true)).isTrue();
            release.countDown();
            assertThat(cf.join()).isEqualTo("done");
            assertThat(f.result()).isEqualTo("done");
            assertThat(queued.cancelled()).isTrue();
            assertThat(queuedCf.isCancelled()).isTrue();
        } finally {
            pool.shutdown(true, true);
        }
    }
}
