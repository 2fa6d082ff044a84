package io.github.futures.contract;

import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import io.github.futures.SerializableRunnable;

/**
 * Serializable calls for the contract suite. Each one captures only its (serializable) arguments,
 * so it can run in the test's JVM, in a worker JVM or in a cluster member.
 */
public final class Tasks {

    private Tasks() {
    }

    /** Static state set by {@link #initializer(String)} in whichever JVM runs it. */
    private static volatile String initToken;

    /**
     * A call that returns {@code value}.
     *
     * @param value the value
     * @return the call
     */
    public static SerializableCallable<Integer> value(int value) {
        return () -> value;
    }

    /**
     * A call that fires {@code started} (if not null), waits at {@code gate} and returns {@code value}.
     *
     * @param started fired when the call starts, or null
     * @param gate the gate to wait at
     * @param value the value
     * @return the call
     */
    public static SerializableCallable<Integer> awaitThenReturn(Signal started, Gate gate, int value) {
        return () -> {
            if (started != null) {
                started.fire();
            }
            gate.await();
            return value;
        };
    }

    /**
     * A call that fires {@code ran} and returns {@code value}.
     *
     * @param ran fired when the call runs
     * @param value the value
     * @return the call
     */
    public static SerializableCallable<Integer> fireThenReturn(Signal ran, int value) {
        return () -> {
            ran.fire();
            return value;
        };
    }

    /**
     * A call that throws {@code t}: an {@link Exception} as is, an {@link Error} as is.
     *
     * @param t what to throw
     * @param <T> any type
     * @return the call
     */
    public static <T> SerializableCallable<T> throwing(Throwable t) {
        return () -> {
            if (t instanceof Exception e) {
                throw e;
            }
            throw (Error) t;
        };
    }

    /**
     * A call that fires {@code started}, waits at {@code gate} and then throws {@code t}.
     *
     * @param started fired when the call starts, or null
     * @param gate the gate
     * @param t what to throw
     * @param <T> any type
     * @return the call
     */
    public static <T> SerializableCallable<T> awaitThenThrow(Signal started, Gate gate, RuntimeException t) {
        return () -> {
            if (started != null) {
                started.fire();
            }
            gate.await();
            throw t;
        };
    }

    /**
     * A runnable that fires {@code ran}.
     *
     * @param ran the signal
     * @return the runnable
     */
    public static SerializableRunnable fire(Signal ran) {
        return ran::fire;
    }

    /**
     * {@code x -> x * x}.
     *
     * @return the function
     */
    public static SerializableFunction<Integer, Integer> square() {
        return x -> x * x;
    }

    /**
     * A function that fires {@code ran} for every item, waits at {@code gate} for the item
     * {@code blocked}, and returns {@code x * 10}.
     *
     * @param ran fired for every item as it starts
     * @param gate the gate
     * @param blocked the item that waits
     * @return the function
     */
    public static SerializableFunction<Integer, Integer> timesTenBlockingAt(Signal ran, Gate gate, int blocked) {
        return x -> {
            ran.fire();
            if (x == blocked) {
                gate.await();
            }
            return x * 10;
        };
    }

    /**
     * {@code x -> 12 / x}: fails with {@link ArithmeticException} for 0.
     *
     * @return the function
     */
    public static SerializableFunction<Integer, Integer> twelveDividedBy() {
        return x -> 12 / x;
    }

    /**
     * An initializer that stores {@code token} in a static field of the worker's JVM.
     *
     * @param token the token
     * @return the initializer
     */
    public static SerializableRunnable initializer(String token) {
        return () -> initToken = token;
    }

    /**
     * An initializer that throws.
     *
     * @return the initializer
     */
    public static SerializableRunnable failingInitializer() {
        return () -> {
            throw new IllegalStateException("initializer fails on purpose");
        };
    }

    /**
     * A call that returns what {@link #initializer(String)} stored in this JVM.
     *
     * @return the call
     */
    public static SerializableCallable<String> initToken() {
        return () -> initToken;
    }
}
