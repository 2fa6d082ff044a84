package io.github.futures;

import java.lang.reflect.Field;

/**
 * Futures in every state, as CPython's test_future helper {@code create_future(state, ...)} makes
 * them, and a look at how many listeners a future holds.
 */
final class FutureStates {

    private FutureStates() {
    }

    static <T> Future<T> pending() {
        return new Future<>();
    }

    static <T> Future<T> running() {
        Future<T> f = new Future<>();
        f.setRunningOrNotifyCancel();
        return f;
    }

    /** Cancelled, the executor not yet told (CPython's CANCELLED). */
    static <T> Future<T> cancelled() {
        Future<T> f = new Future<>();
        f.cancel();
        return f;
    }

    /** Cancelled and the executor told (CPython's CANCELLED_AND_NOTIFIED). */
    static <T> Future<T> cancelledAndNotified() {
        Future<T> f = cancelled();
        if (f.setRunningOrNotifyCancel()) {
            throw new AssertionError("a cancelled future was set running");
        }
        return f;
    }

    static <T> Future<T> finished(T value) {
        Future<T> f = running();
        f.setResult(value);
        return f;
    }

    static <T> Future<T> failed(Throwable t) {
        Future<T> f = running();
        f.setException(t);
        return f;
    }

    /**
     * The number of listeners (waiting threads, waiters, callbacks) linked to a future that is not
     * done; 0 once done. Reads the private stack by reflection: the count is not API.
     */
    static int listenerCount(Future<?> f) {
        if (f.done()) {
            return 0;
        }
        try {
            Field stack = Future.class.getDeclaredField("stack");
            stack.setAccessible(true);
            Field next = Future.Node.class.getDeclaredField("next");
            next.setAccessible(true);
            int n = 0;
            for (Object node = stack.get(f); node != null; node = next.get(node)) {
                n++;
            }
            return n;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
