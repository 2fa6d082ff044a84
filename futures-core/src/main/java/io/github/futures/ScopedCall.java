package io.github.futures;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.Iterator;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The pool's side of one call that a {@link CallInterceptor} gave a {@link CallScope}: tells the scope
 * of the start and of the end each at most once, the start never after the end, whatever threads race
 * (a worker starting the call while its owner cancels it). For executor implementations: a pool with
 * an interceptor makes one per accepted call, adds it to the call's future as a
 * {@linkplain Future#addDoneCallback done callback} (which ends the scope) and calls {@link #started()}
 * when the call starts; a pool without one makes none, so the feature costs it nothing.
 *
 * <pre>{@code
 * Future<T> f = ScopedCall.submit(interceptor, info, sc -> {  // asks for the scope on this thread;
 *     Future<T> accepted = accept(sc.wrap(fn));               // runs scope.wrap(fn) after started()
 *     accepted.addDoneCallback(sc);                           // ends the scope with the future's outcome
 *     return accepted;                                        // a refusal ends the scope and is rethrown
 * });
 * }</pre>
 *
 * @since 0.4.0
 */
public final class ScopedCall implements Consumer<Future<?>>, Future.InlineCallback {

    /*
     * Implementation note.
     *
     * 'state' goes NEW -> STARTING -> STARTED -> DONE when the call starts and then ends, NEW -> DONE
     * when it ends before it started, and STARTING -> ENDING -> DONE when it ends while started() is
     * still telling the scope: the ender then leaves its outcome in 'failure'/'cancelled' (plain
     * fields published by the CAS to ENDING) and the starter tells the scope of the end once it has
     * told it of the start. Each transition is one CAS, so each of started/ended runs at most once.
     */

    private static final int NEW = 0;
    private static final int STARTING = 1;
    private static final int STARTED = 2;
    private static final int ENDING = 3;
    private static final int DONE = 4;

    private final CallScope scope;
    private volatile int state;
    private Throwable failure;
    private boolean cancelled;

    private ScopedCall(CallScope scope) {
        this.scope = scope;
    }

    /**
     * Asks {@code interceptor} for the scope of a call being submitted, on the submitting thread.
     *
     * @param interceptor the pool's interceptor
     * @param info the pool's name and kind
     * @return the call's tracker
     * @throws RuntimeException whatever the interceptor threw: the submit must throw it and accept nothing
     */
    public static ScopedCall intercept(CallInterceptor interceptor, CallInterceptor.CallInfo info) {
        CallScope s = interceptor.intercept(info);
        return new ScopedCall(s == null ? CallScope.NONE : s);
    }

    /**
     * Submits a call through {@code interceptor}: asks it for the call's scope on this (the submitting)
     * thread, then runs {@code accept} with the call's tracker. If {@code accept} refuses the call by
     * throwing, the scope ends with that refusal and the same throwable is rethrown; otherwise
     * {@code accept} must have made the tracker the accepted future's
     * {@linkplain Future#addDoneCallback done callback}, which ends the scope.
     *
     * @param interceptor the pool's interceptor
     * @param info the pool's name and kind
     * @param accept accepts the call with its tracker (a local call runs {@link #wrap}; a remote one
     *        sends {@link #remoteContext}) and registers the tracker as its future's done callback
     * @param <F> the future type
     * @return what {@code accept} returned
     * @throws RuntimeException whatever the interceptor or {@code accept} threw; nothing is accepted
     * @throws Error whatever {@code accept} threw; nothing is accepted
     */
    public static <F> F submit(CallInterceptor interceptor, CallInterceptor.CallInfo info, Submit<F> accept) {
        ScopedCall sc = intercept(interceptor, info);
        try {
            return accept.submit(sc);
        } catch (RuntimeException | Error refused) {
            sc.ended(refused, false);
            throw refused;
        }
    }

    /**
     * Accepts one call with its tracker: the step {@link #submit(CallInterceptor, CallInterceptor.CallInfo,
     * Submit)} runs once the scope was given.
     *
     * @param <F> the future type
     */
    @FunctionalInterface
    public interface Submit<F> {
        /**
         * Accepts the call, or refuses it by throwing.
         *
         * @param sc the call's tracker
         * @return the accepted call's future, with {@code sc} as its done callback
         */
        F submit(ScopedCall sc);
    }

    /**
     * The scope.
     *
     * @return the scope the interceptor gave
     */
    public CallScope scope() {
        return scope;
    }

    /**
     * The scope's entries for a call that runs in another JVM, asked on the submitting thread.
     *
     * @return the entries, never {@code null}
     */
    public Map<String, String> remoteContext() {
        Map<String, String> m = scope.remoteContext();
        return m == null ? Map.of() : m;
    }

    /**
     * Wraps a call that runs in this JVM (on the submitting thread): the result tells the scope of
     * the start, then runs {@code scope.wrap(call)}.
     *
     * @param call the call
     * @param <T> its result type
     * @return the call to run instead
     */
    public <T> Callable<T> wrap(Callable<T> call) {
        return new Run<>(this, scope.wrap(call), call);
    }

    /** Tells the scope the call started, unless it ended already or was told before. */
    public void started() {
        if (!STATE.compareAndSet(this, NEW, STARTING)) {
            return;
        }
        try {
            scope.started();
        } catch (Throwable ignored) {
            // ignored, as CallScope documents: the call must still run. Errors too (a scope whose library
            // is missing throws NoClassDefFoundError): one that escaped left this scope never ended, failed
            // a thread pool's call, and on a process pool stopped the writing of the frames handed out with it.
        }
        if (!STATE.compareAndSet(this, STARTING, STARTED)) { // ENDING: the end came meanwhile
            state = DONE;
            tellEnded(failure, cancelled);
        }
    }

    /**
     * Tells the scope the call ended, unless it was told before: for a submit refused after the
     * interceptor gave the scope, and for executors that do not use the done callback.
     *
     * @param failure the exception, or {@code null}
     * @param wasCancelled whether the call ended cancelled
     */
    public void ended(Throwable failure, boolean wasCancelled) {
        for (;;) {
            int s = state;
            if (s == NEW || s == STARTED) {
                if (STATE.compareAndSet(this, s, DONE)) {
                    tellEnded(failure, wasCancelled);
                    return;
                }
            } else if (s == STARTING) {
                this.failure = failure;
                this.cancelled = wasCancelled;
                if (STATE.compareAndSet(this, STARTING, ENDING)) {
                    return; // started() tells the scope once it has told it of the start
                }
            } else {
                return; // told already
            }
        }
    }

    /** The done callback: ends the scope with the future's outcome. */
    @Override
    public void accept(Future<?> f) {
        boolean c = f.cancelled();
        Throwable t = null;
        if (!c) {
            try {
                t = f.exception(Duration.ZERO);
            } catch (RuntimeException unexpected) {
                t = unexpected; // cannot happen for a done future that was not cancelled
            }
        }
        ended(t, c);
    }

    // ------------------------------------------------------------------ maps

    /**
     * Asks for the scope of a whole {@code map}, on the calling thread, and tells it the map started.
     * Its calls are then submitted through {@link #submitting}, inside this scope's wrap, so that the
     * scope each of them is given carries the mapper's context even when a buffered map submits it
     * later from the thread that takes the results. The map's scope ends when its items ran out, a
     * submit failed, or its stream was closed.
     *
     * @param interceptor the pool's interceptor
     * @param info the pool's name and kind
     * @return the map's tracker
     */
    public static ScopedCall forMap(CallInterceptor interceptor, CallInterceptor.CallInfo info) {
        ScopedCall sc = intercept(interceptor, info);
        sc.started();
        return sc;
    }

    /**
     * The map's submit function, run inside this (map) scope's wrap; a submit that throws ends it.
     *
     * @param submit submits one item (or chunk)
     * @param <A> the item type
     * @param <F> the future type
     * @return the function to give {@link MapSupport}
     */
    public <A, F> Function<A, F> submitting(Function<A, F> submit) {
        return new MapSubmit<>(this, submit);
    }

    /**
     * The map's items; when they run out (every call was submitted) the map's scope ends.
     *
     * @param items the items
     * @param <T> the item type
     * @return the same items, watched
     */
    public <T> Iterable<T> endingWhenExhausted(Iterable<T> items) {
        return () -> {
            Iterator<T> it = items.iterator();
            return new Iterator<T>() {
                @Override
                public boolean hasNext() {
                    boolean more = it.hasNext();
                    if (!more) {
                        ended(null, false);
                    }
                    return more;
                }

                @Override
                public T next() {
                    return it.next();
                }
            };
        };
    }

    /**
     * The map's stream; closing it ends the map's scope (as cancelled, unless it ended before).
     *
     * @param results the stream
     * @param <R> the result type
     * @return the same stream
     */
    public <R> Stream<R> endingOnClose(Stream<R> results) {
        return results.onClose(() -> ended(null, true));
    }

    /**
     * Submits each item inside the map scope's wrap, which is asked for once: the wrapped call runs
     * whatever submit is current ({@code pending}); a map's results are taken by one thread at a time.
     */
    private static final class MapSubmit<A, F> implements Function<A, F> {
        private final ScopedCall owner;
        private final Function<A, F> submit;
        private final Callable<F> wrapped;
        /** The item being submitted; guarded by this. */
        private A pending;

        MapSubmit(ScopedCall owner, Function<A, F> submit) {
            this.owner = owner;
            this.submit = submit;
            this.wrapped = owner.scope.wrap(() -> this.submit.apply(pending));
        }

        @Override
        public synchronized F apply(A item) {
            pending = item;
            try {
                return wrapped.call();
            } catch (RuntimeException | Error e) {
                owner.ended(e, false);
                throw e;
            } catch (Exception e) { // only a scope's own wrapper can throw one
                owner.ended(e, false);
                throw new CompletionException(e);
            } finally {
                pending = null;
            }
        }
    }

    private void tellEnded(Throwable t, boolean c) {
        try {
            scope.ended(t, c);
        } catch (Throwable ignored) {
            // ignored, as CallScope documents (errors too, as in started()): it cannot be allowed to strand the call
        }
    }

    /** The call a worker runs: the start is told, then the scope's wrapped call runs. */
    static final class Run<T> implements Callable<T> {
        private final ScopedCall owner;
        private final Callable<T> call;
        /**
         * The call as submitted: what messages name (a call timeout's warning, say), not the scope's wrapper;
         * by its class only ({@link WorkerRecycler#describe}).
         */
        final Object submitted;

        Run(ScopedCall owner, Callable<T> call, Object submitted) {
            this.owner = owner;
            this.call = call;
            this.submitted = submitted;
        }

        @Override
        public T call() throws Exception {
            owner.started();
            return call.call();
        }

        @Override
        public String toString() {
            return WorkerRecycler.describe(submitted);
        }
    }

    // VarHandle set-up
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ScopedCall.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
