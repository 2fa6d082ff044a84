package io.github.futures;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The result of a call that may not have finished yet: Python's {@code concurrent.futures.Future}.
 *
 * <p>Executors create futures in {@link Executor#submit(java.util.concurrent.Callable) submit}; user code asks them for their state,
 * waits for their {@link #result() result}, {@link #cancel() cancels} them while they are pending,
 * and adds {@link #addDoneCallback(Consumer) done callbacks}. Tests and executors may create a future
 * directly and complete it with {@link #setRunningOrNotifyCancel()}, {@link #setResult(Object)} and
 * {@link #setException(Throwable)}.
 *
 * <pre>{@code
 * try (var executor = new ThreadPoolExecutor(4)) {
 *     Future<Integer> f = executor.submit(() -> 6 * 7);
 *     f.addDoneCallback(done -> System.out.println("done: " + done.result()));
 *     int answer = f.result(Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>A future is PENDING, then RUNNING, then FINISHED (with a result or an exception); or it is
 * CANCELLED while it is still pending. A done future never changes again. {@link #cancel()} and
 * {@code cancel(false)} never touch a running call (CPython's meaning); {@link #cancel(boolean)
 * cancel(true)} also stops a running call where its executor can (the thread and process pools do).
 *
 * <p>Memory consistency effects: actions in the thread that completes a future (including the
 * actions of the call itself) <i>happen-before</i> actions that follow the successful return of
 * {@code result}, {@code exception} or {@code get} in another thread, and actions in a done callback.
 *
 * @param <T> the type of the result
 * @since 0.1.0
 */
public class Future<T> implements java.util.concurrent.Future<T> {

    /*
     * Implementation note.
     *
     * State transitions (all single CAS steps on 'state', made only in this class):
     *
     *   PENDING -> RUNNING                      setRunningOrNotifyCancel
     *   PENDING | RUNNING -> COMPLETING -> FINISHED   setResult / setException
     *   PENDING -> CANCELLED                    cancel
     *   RUNNING -> CANCELLED_AND_NOTIFIED       cancel(true), when canStopRunningCall(); then stopRunningCall()
     *   CANCELLED -> CANCELLED_AND_NOTIFIED     setRunningOrNotifyCancel
     *
     * COMPLETING is transient: the thread that won the CAS writes 'outcome' (the value, or a Failure)
     * and publishes it with a release write of FINISHED, so a reader that sees a done state sees the
     * outcome. setResult/setException take effect at their CAS: a future in COMPLETING is done (not
     * running), and a reader that needs the outcome waits out the plain write (awaitOutcome,
     * Thread.yield, as FutureTask does). Otherwise a pending future completed directly would look
     * running, and neither done nor cancellable, for a moment. Why two cancelled states (as in CPython): CANCELLED says the future was cancelled;
     * CANCELLED_AND_NOTIFIED says that the executor has also seen it (and dropped the call), so an
     * executor that meets the same cancelled future twice is told with InvalidStateError. Waiters
     * and callbacks hear of a cancellation once, at cancel() time.
     *
     * 'stack' is a Treiber stack of listeners: threads blocked in result()/exception()/get(),
     * Waiters of Futures.wait/asCompleted, and done callbacks. Completion swaps it for the DONE
     * sentinel, so that a listener is either on the stack (and is run by the completing thread)
     * or sees DONE (and runs at once in the adding thread) - never both, never neither. No lock is
     * held while a listener runs.
     *
     * Removal is O(1), amortized: a thread that stops waiting (timeout, interrupt) or a Waiter that
     * is no longer needed clears its node's item; a node on top of the stack is popped at once (with
     * the removed nodes right under it), any other counts in 'dead'. When the dead nodes reach half of the stack's depth (Node.depth, a
     * hint written at push and rewritten by each sweep) one sweep unlinks them all, as FutureTask's
     * removeWaiter does for each removal. So a sweep of n nodes follows at least n/2 removals, and a
     * long-lived pending future holds at most about twice its live listeners (Futures removes the
     * waiters of an abandoned asCompleted iteration once the iterator is collected).
     */

    static final int PENDING = 0;
    static final int RUNNING = 1;
    static final int COMPLETING = 2;
    static final int FINISHED = 3;
    static final int CANCELLED = 4;
    static final int CANCELLED_AND_NOTIFIED = 5;

    /** The logger, looked up when first used: finding a logging back-end costs a cold JVM milliseconds. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(Future.class.getName());
    }

    /** The state; see the note above. */
    private volatile int state;
    /**
     * The value, or a {@link Failure} holding the exception (one field for both keeps a pending
     * future small); written before, and published by, the release write of FINISHED.
     */
    private Object outcome;
    /** Listeners; DONE once completed. */
    private volatile Node stack;
    /** Removed nodes still linked (see the note); reset by the sweep that unlinks them. */
    private volatile int dead;

    /** Creates a pending future. Executors create futures; user code normally does not. */
    public Future() {
    }

    // ---------------------------------------------------------------- state queries

    /**
     * Attempts to cancel the call.
     *
     * @return {@code false} if the call is running or has finished; {@code true} if the future is
     *     cancelled (now or before)
     */
    public boolean cancel() {
        for (;;) {
            int s = state;
            if (s == CANCELLED || s == CANCELLED_AND_NOTIFIED) {
                return true;
            }
            if (s != PENDING) {
                return false;
            }
            if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
                finishCompletion(false);
                return true;
            }
        }
    }

    /**
     * Attempts to cancel the call, and with {@code mayInterruptIfRunning} also to stop it if it is
     * running.
     *
     * <p>{@code cancel(false)} is {@link #cancel()} (CPython's meaning: only a pending call can be
     * cancelled). {@code cancel(true)} on a running call asks the executor to stop it: the thread pool
     * interrupts the thread running it, the process pool ends the worker process running it (and
     * starts another). If the executor can stop it, the future ends cancelled at once — waiters and
     * callbacks are told now, not when the call's thread or process has ended — and whatever the
     * call returns later is discarded. A future whose executor cannot stop running calls (or one
     * created directly) stays running and this returns {@code false}.
     *
     * @param mayInterruptIfRunning whether a running call should be stopped
     * @return {@code true} if the future is cancelled (now or before); {@code false} if it has finished,
     *     or is running and was not stopped
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!mayInterruptIfRunning) {
            return cancel();
        }
        for (;;) {
            int s = state;
            if (s != RUNNING) {
                return cancel();
            }
            if (!canStopRunningCall()) {
                return false;
            }
            // The executor has seen the future (it is running), hence CANCELLED_AND_NOTIFIED.
            if (STATE.compareAndSet(this, RUNNING, CANCELLED_AND_NOTIFIED)) {
                finishCompletion(true);
                try {
                    stopRunningCall();
                } catch (Throwable t) { // the future is cancelled whatever the executor does
                    Throwables.logFailure(Log.LOG, "stopping the running call of " + this + " failed", t);
                }
                return true;
            }
        }
    }

    /**
     * Whether {@link #cancel(boolean) cancel(true)} may stop this future's call while it runs.
     * Executors whose futures can stop their running call override this; the default is {@code false}.
     *
     * @return whether a running call can be stopped
     */
    protected boolean canStopRunningCall() {
        return false;
    }

    /**
     * Stops the running call after {@link #cancel(boolean) cancel(true)} cancelled this future;
     * called once, in the cancelling thread, after waiters and callbacks were told. Must not block
     * for long and should not throw. The default does nothing.
     */
    protected void stopRunningCall() {
    }

    /**
     * Returns whether the future was cancelled.
     *
     * @return {@code true} if cancelled
     */
    public boolean cancelled() {
        return state >= CANCELLED;
    }

    /**
     * Returns whether the call is running now.
     *
     * @return {@code true} if running and not yet done
     */
    public boolean running() {
        return state == RUNNING;
    }

    /**
     * Returns whether the future is done: cancelled, or finished with a result or an exception.
     *
     * @return {@code true} if done
     */
    public boolean done() {
        return state >= COMPLETING;
    }

    @Override
    public boolean isCancelled() {
        return cancelled();
    }

    @Override
    public boolean isDone() {
        return done();
    }

    // ---------------------------------------------------------------- results

    /**
     * Waits without limit for the call to finish and returns its value.
     *
     * @return the value of the call
     * @throws CancelledError if the future was cancelled
     * @throws RuntimeException the call's own exception when it is unchecked, or a
     *     {@link CompletionException} whose cause is the call's checked exception
     * @throws Error the call's own error
     */
    public T result() {
        return report(awaitUninterruptiblyOrThrow(false, 0L));
    }

    /**
     * Waits at most {@code timeout} for the call to finish and returns its value.
     *
     * @param timeout how long to wait; {@link Duration#ZERO} or negative: do not wait
     * @return the value of the call
     * @throws NullPointerException if {@code timeout} is {@code null}
     * @throws TimeoutError if the future is not done in time
     * @throws CancelledError if the future was cancelled
     * @throws RuntimeException the call's own exception when it is unchecked, or a
     *     {@link CompletionException} whose cause is the call's checked exception
     */
    public T result(Duration timeout) {
        return report(awaitUninterruptiblyOrThrow(true, Timeouts.toNanos(timeout, "timeout")));
    }

    /**
     * Waits without limit and returns the exception of the call, or {@code null} if it finished
     * normally. The exception is the original object, never wrapped.
     *
     * @return the call's exception or {@code null}
     * @throws CancelledError if the future was cancelled
     */
    public Throwable exception() {
        return reportException(awaitUninterruptiblyOrThrow(false, 0L));
    }

    /**
     * Waits at most {@code timeout} and returns the exception of the call, or {@code null} if it
     * finished normally.
     *
     * @param timeout how long to wait; {@link Duration#ZERO} or negative: do not wait
     * @return the call's exception or {@code null}
     * @throws NullPointerException if {@code timeout} is {@code null}
     * @throws TimeoutError if the future is not done in time
     * @throws CancelledError if the future was cancelled
     */
    public Throwable exception(Duration timeout) {
        return reportException(awaitUninterruptiblyOrThrow(true, Timeouts.toNanos(timeout, "timeout")));
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return getReport(awaitDone(false, 0L));
    }

    @Override
    public T get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Objects.requireNonNull(unit, "unit");
        int s = awaitDone(true, unit.toNanos(timeout));
        if (s < FINISHED) {
            throw new java.util.concurrent.TimeoutException("future not done within " + timeout + " " + unit);
        }
        return getReport(s);
    }

    private T getReport(int s) throws ExecutionException {
        if (s >= CANCELLED) {
            throw new CancelledError("future was cancelled");
        }
        if (outcome instanceof Failure f) {
            throw new ExecutionException(f.exception);
        }
        return value(outcome);
    }

    private T report(int s) {
        Throwable ex = reportException(s);
        if (ex == null) {
            return value(outcome);
        }
        if (ex instanceof RuntimeException re) {
            throw re;
        }
        if (ex instanceof Error err) {
            throw err;
        }
        throw new CompletionException(ex);
    }

    private Throwable reportException(int s) {
        if (s < FINISHED) {
            throw new TimeoutError("future not done in time");
        }
        if (s >= CANCELLED) {
            throw new CancelledError("future was cancelled");
        }
        return outcome instanceof Failure f ? f.exception : null;
    }

    /** awaitDone, turning an interrupt into an unchecked exception with the interrupt status kept. */
    private int awaitUninterruptiblyOrThrow(boolean timed, long nanos) {
        try {
            return awaitDone(timed, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while waiting for a future", e);
        }
    }

    /**
     * Waits until done or timed out; returns the state seen last.
     * Throws InterruptedException (interrupt status cleared) if interrupted while it must wait.
     */
    private int awaitDone(boolean timed, long nanos) throws InterruptedException {
        int s = state;
        if (s >= COMPLETING || (timed && nanos <= 0L)) {
            return awaitOutcome(s);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Node q = new Node(Thread.currentThread());
        if (!push(q)) {
            return state;
        }
        // A timeout of more than a century (Duration.ofDays(365_000), say) is no limit: the
        // deadline would overflow.
        if (timed && nanos >= Timeouts.FOREVER_NANOS) {
            timed = false;
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        ThreadPool.Worker blockedIn = DeadlockWatch.enter(this); // a pool's call waiting for its own pool
        try {
            for (;;) {
                s = state;
                if (s >= COMPLETING) {
                    return awaitOutcome(s);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (timed) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0L) {
                        return s;
                    }
                    LockSupport.parkNanos(this, remaining);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            DeadlockWatch.exit(blockedIn);
            if (state < FINISHED) {
                remove(q);
            }
        }
    }

    // ---------------------------------------------------------------- callbacks

    /**
     * Attaches a callable that is called with this future when it is done (cancelled or finished).
     * Callbacks run in the order they were added, in the thread that completes the future (for a
     * process pool's call, on a thread of the pool's own that runs callbacks, not on the thread that
     * reads results, so that a callback may wait for another call of the same pool); if the future
     * is already done, {@code fn} runs at once in the calling thread. An exception thrown by
     * a callback is logged and ignored; the other callbacks still run.
     *
     * @param fn the callback
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public void addDoneCallback(Consumer<? super Future<T>> fn) {
        Objects.requireNonNull(fn, "fn");
        if (!push(new Node(fn))) {
            invokeCallback(fn);
        }
    }

    /**
     * Runs a callback; whatever it throws is logged and ignored. Logging prints the exception, which is
     * user code too: an exception whose message or description throws or never ends (a stack overflow)
     * makes the logger throw, and the logger does not catch errors. That is ignored as well, or it would
     * skip the callbacks after this one and reach the thread completing the future (a pool's worker).
     */
    @SuppressWarnings("unchecked")
    private void invokeCallback(Object fn) {
        try {
            ((Consumer<? super Future<T>>) fn).accept(this);
        } catch (Throwable t) {
            Throwables.logFailure(Log.LOG, "exception calling callback for " + this, t);
        }
    }

    // ---------------------------------------------------------------- for executors

    /**
     * Marks the future as running, or learns that it was cancelled. Executors call this just before
     * they run the call: {@code true} means run it; {@code false} means the future was cancelled and
     * the call must not run.
     *
     * @return {@code true} if the future was pending and is now running; {@code false} if it was cancelled
     * @throws InvalidStateError if the future is already running, finished, or this method already
     *     returned {@code false} for it
     */
    public boolean setRunningOrNotifyCancel() {
        for (;;) {
            int s = state;
            if (s == PENDING) {
                if (STATE.compareAndSet(this, PENDING, RUNNING)) {
                    return true;
                }
            } else if (s == CANCELLED) {
                if (STATE.compareAndSet(this, CANCELLED, CANCELLED_AND_NOTIFIED)) {
                    return false;
                }
            } else {
                throw new InvalidStateError("Future in unexpected state: " + this);
            }
        }
    }

    /**
     * Completes the future with a value.
     *
     * @param result the value, may be {@code null}
     * @throws InvalidStateError if the future is already done
     */
    public void setResult(T result) {
        if (!complete(result, null)) {
            throw new InvalidStateError("cannot set the result of a future that is done: " + this);
        }
    }

    /**
     * Completes the future with an exception.
     *
     * @param exception the exception
     * @throws NullPointerException if {@code exception} is {@code null}
     * @throws InvalidStateError if the future is already done
     */
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        if (!complete(null, exception)) {
            throw new InvalidStateError("cannot set the exception of a future that is done: " + this);
        }
    }

    /**
     * Completes the future with an exception unless it is already done (for executors, whose call
     * may have been cancelled with {@code cancel(true)} or timed out while it ran).
     *
     * @param exception the exception
     * @return whether this call completed it
     */
    protected boolean trySetException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        return complete(null, exception);
    }

    /**
     * Completes the future with a value unless it is already done (for executors, whose call may
     * have been cancelled with {@code cancel(true)} or timed out while it ran).
     *
     * @param result the value, may be {@code null}
     * @return whether this call completed it
     */
    protected boolean trySetResult(T result) {
        return complete(result, null);
    }

    private boolean complete(T value, Throwable ex) {
        Object o = ex == null ? value : new Failure(ex);
        for (;;) {
            int s = state;
            if (s >= COMPLETING) {
                return false;
            }
            if (STATE.compareAndSet(this, s, COMPLETING)) {
                this.outcome = o;
                STATE.setRelease(this, FINISHED);
                finishCompletion(s == RUNNING);
                return true;
            }
        }
    }

    /** An exception as the outcome (a value of the call is never one of these: the class is private). */
    private record Failure(Throwable exception) {
    }

    @SuppressWarnings("unchecked")
    private T value(Object o) {
        return (T) o;
    }

    /**
     * Called once, in the thread that completes the future, after it reached its final state and
     * before waiters and callbacks are told. Executors override it to count outcomes; it must be
     * quick and must not throw. The default does nothing.
     */
    protected void onCompletion() {
    }

    /** onCompletion, told whether the future was RUNNING before it ended (for TrackedFuture's counts). */
    void onCompletion(boolean ran) {
        onCompletion();
    }

    /**
     * Returns a {@link CompletableFuture} that completes when this future does: normally, exceptionally
     * (with the call's exception), or cancelled. Cancelling the returned stage cancels this future,
     * and the two agree: if this future can no longer be cancelled (its call is running or has
     * finished), the stage's {@code cancel} returns {@code false} and the stage is not cancelled.
     *
     * @return a new completion stage tied to this future
     */
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> cf = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                if (!Future.this.cancel()) {
                    return false; // running or finished: the stage follows this future's outcome
                }
                // Cancelled: this future's done callback has completed the stage with CancelledError
                // (a CancellationException), unless the stage was completed from outside before.
                return super.cancel(mayInterruptIfRunning);
            }
        };
        addDoneCallback(f -> {
            int s = state;
            Object o = outcome;
            if (s >= CANCELLED) {
                cf.completeExceptionally(new CancelledError("future was cancelled"));
            } else if (o instanceof Failure failure) {
                cf.completeExceptionally(failure.exception);
            } else {
                cf.complete(value(o));
            }
        });
        return cf;
    }

    @Override
    public String toString() {
        String id = getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this));
        int s = awaitOutcome(state);
        if (s == FINISHED) {
            Object r = outcome;
            if (r instanceof Failure f) {
                return id + "[state=finished raised " + f.exception.getClass().getName() + "]";
            }
            return id + "[state=finished returned " + (r == null ? "null" : r.getClass().getName()) + "]";
        }
        return id + "[state=" + stateName(s) + "]";
    }

    static String stateName(int s) {
        return s == PENDING ? "pending" : s == RUNNING ? "running" : s == FINISHED ? "finished" : "cancelled";
    }

    /**
     * Whether the future is done, read from its state: for the library's checks on futures it only
     * watches (DeadlockWatch), which must not run a subclass's {@link #done()}: user code, which may
     * throw where nothing is there to clean up after it.
     */
    final boolean stateIsDone() {
        return state >= COMPLETING;
    }

    /** Whether the future finished by raising (not cancelled). Only meaningful once done. */
    final boolean finishedWithException() {
        return awaitOutcome(state) == FINISHED && outcome instanceof Failure;
    }

    /**
     * Returns the state, after waiting out COMPLETING: the completing thread is between its CAS and
     * the release write of FINISHED (one plain write), so this yields at most briefly.
     */
    private int awaitOutcome(int s) {
        while (s == COMPLETING) {
            Thread.yield();
            s = state;
        }
        return s;
    }

    // ---------------------------------------------------------------- listeners

    /** Something to tell when the future is done; used by Futures.wait and asCompleted. */
    abstract static class Waiter {
        /** Called once per future, without locks, in the completing thread. Must not throw. */
        abstract void onDone(Future<?> future);
    }

    /** A listener node: item is a Thread, a Waiter or a Consumer callback; null once removed. */
    static final class Node {
        volatile Object item;
        volatile Node next;
        /** Nodes from this one to the bottom when pushed (a hint: a sweep rewrites it). */
        int depth;

        Node(Object item) {
            this.item = item;
        }
    }

    private static final Node DONE = new Node(new Object());

    /** Nodes removed before a sweep is worth it, however short the stack. */
    private static final int SWEEP_MIN = 8;

    /** Pushes a listener; false if the future is already done (the listener was not added). */
    private boolean push(Node node) {
        for (;;) {
            Node h = stack;
            if (h == DONE) {
                return false;
            }
            node.next = h;
            node.depth = h == null ? 1 : h.depth + 1;
            if (STACK.compareAndSet(this, h, node)) {
                return true;
            }
        }
    }

    /**
     * Adds a waiter; returns its node, or null if the future is already done (the waiter was not
     * added and is not told).
     */
    final Node addWaiter(Waiter waiter) {
        Node node = new Node(waiter);
        return push(node) ? node : null;
    }

    /**
     * Removes a node added by addWaiter or awaitDone; harmless if the future is done or the node
     * was removed before. O(1) amortized (see the note).
     *
     * @return the nodes this call visited (for tests of its cost)
     */
    final int remove(Node node) {
        if (node.item == null) {
            return 0;
        }
        node.item = null;
        int steps = 1;
        int d;
        if (stack == node && STACK.compareAndSet(this, node, node.next)) {
            // On top: popped, and so are the removed nodes it covered (counted in 'dead' before).
            for (Node q; (q = stack) != null && q != DONE && q.item == null && STACK.compareAndSet(this, q, q.next); ) {
                steps++;
                DEAD.getAndAdd(this, -1);
            }
            d = dead;
        } else {
            d = (int) DEAD.getAndAdd(this, 1) + 1;
        }
        Node h = stack;
        if (h == DONE || h == null || d < SWEEP_MIN || d < h.depth / 2 || !DEAD.compareAndSet(this, d, 0)) {
            return steps;
        }
        return steps + sweep();
    }

    /** Unlinks every removed node and rewrites the depth hints; returns the nodes visited. */
    private int sweep() {
        int steps = 0;
        retry:
        for (;;) {
            int live = 0;
            for (Node pred = null, q = stack, s; q != null && q != DONE; q = s) {
                steps++;
                s = q.next;
                if (q.item != null) {
                    pred = q;
                    live++;
                } else if (pred != null) {
                    pred.next = s;
                    if (pred.item == null) { // raced with another removal
                        continue retry;
                    }
                } else if (!STACK.compareAndSet(this, q, s)) {
                    continue retry;
                }
            }
            for (Node q = stack; q != null && q != DONE && live > 0; q = q.next) {
                steps++;
                q.depth = live--;
            }
            return steps;
        }
    }

    /** The nodes now on the stack, removed ones included (for tests of memory use); 0 once done. */
    final int listenerNodes() {
        int n = 0;
        for (Node q = stack; q != null && q != DONE; q = q.next) {
            n++;
        }
        return n;
    }

    private void finishCompletion(boolean ran) {
        try {
            onCompletion(ran);
        } catch (Throwable t) { // the waiters and callbacks below must be told whatever it did
            Throwables.logFailure(Log.LOG, "onCompletion failed for " + this, t);
        }
        Node h = (Node) STACK.getAndSet(this, DONE);
        if (h == null) {
            return;
        }
        if (h.next == null) {
            Object item = h.item;
            if (item != null && tell(item)) {
                if (item instanceof InlineCallback || callbackExecutor() == null) {
                    invokeCallback(item);
                } else {
                    runCallbacks(new Object[] {item});
                }
            }
            return;
        }
        // The stack is newest first; listeners are told oldest first.
        int n = 0;
        for (Node q = h; q != null; q = q.next) {
            n++;
        }
        Object[] items = new Object[n];
        int i = n;
        for (Node q = h; q != null && i > 0; q = q.next) {
            items[--i] = q.item;
        }
        // Waiting threads and Waiters first (they only wake someone up), then the callbacks.
        boolean anyCallback = false;
        for (Object item : items) {
            if (item != null) {
                anyCallback |= tell(item);
            }
        }
        if (anyCallback) {
            runCallbacks(items);
        }
    }

    /**
     * Runs the callbacks among {@code items}, in order: here, or, where the executor that completes this
     * future says so ({@link #callbackExecutor()}), those from the first that is not an
     * {@link InlineCallback} on, on its executor.
     */
    private void runCallbacks(Object[] items) {
        java.util.concurrent.Executor elsewhere = callbackExecutor();
        int i = 0;
        if (elsewhere != null) {
            while (i < items.length && (!(items[i] instanceof Consumer) || items[i] instanceof InlineCallback)) {
                if (items[i] instanceof Consumer) {
                    invokeCallback(items[i]);
                }
                i++;
            }
            if (i < items.length) {
                elsewhere.execute(new Callbacks(this, items, i));
                return;
            }
        }
        invokeCallbacks(items, i);
    }

    /** Runs the callbacks among {@code items} from index {@code from} on, in order, in this thread. */
    private void invokeCallbacks(Object[] items, int from) {
        for (int i = from; i < items.length; i++) {
            if (items[i] instanceof Consumer) {
                invokeCallback(items[i]);
            }
        }
    }

    /**
     * Where this future's done callbacks run when the current thread completes it, or {@code null} for
     * here (the default). A process pool's reader thread hands them to the pool's callback threads, so
     * that a callback that waits never holds up the results that the reader would read.
     */
    java.util.concurrent.Executor callbackExecutor() {
        return null;
    }

    /**
     * A done callback of the executor's own that runs in the completing thread even where the others are
     * handed to {@link #callbackExecutor()}: it must not block (a call's scope ending, for one).
     */
    interface InlineCallback {
    }

    /** A future's callbacks from one index on, run in order on another thread. */
    private static final class Callbacks implements Runnable {
        private final Future<?> future;
        private final Object[] items;
        private final int from;

        Callbacks(Future<?> future, Object[] items, int from) {
            this.future = future;
            this.items = items;
            this.from = from;
        }

        @Override
        public void run() {
            future.invokeCallbacks(items, from);
        }
    }

    /** Wakes a thread or tells a Waiter; returns true if the item is a callback (not run here). */
    private boolean tell(Object item) {
        if (item instanceof Thread t) {
            LockSupport.unpark(t);
            return false;
        }
        if (item instanceof Waiter w) {
            w.onDone(this);
            return false;
        }
        return true;
    }

    // VarHandle set-up
    private static final VarHandle STATE;
    private static final VarHandle STACK;
    private static final VarHandle DEAD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Future.class, "state", int.class);
            STACK = l.findVarHandle(Future.class, "stack", Node.class);
            DEAD = l.findVarHandle(Future.class, "dead", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // Reduce the risk of rare disastrous classloading in first call to LockSupport.park (JDK-8074773).
        Class<?> ensureLoaded = LockSupport.class;
    }
}
