package io.github.futures.spi;

import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * What the executors whose calls travel to another JVM (process and cluster pools) share about
 * serializing them: one check with one message, and one way to send a runnable as a call.
 * Internal to the project's executors.
 */
public final class Serialization {

    private Serialization() {
    }

    /**
     * Refuses a call that does not implement {@link Serializable}, saying how to fix it.
     *
     * @param fn the call
     * @param what what it is, for the message: {@code task}, {@code function}, {@code initializer}
     * @param castHint the cast that makes a lambda of this kind serializable, e.g.
     *                 {@code "(SerializableCallable<T>) () -> ..."}
     * @param destination where it would go: {@code "a worker process"}, {@code "a cluster member"}
     * @throws IllegalArgumentException if {@code fn} is not serializable
     */
    public static void requireSerializable(Object fn, String what, String castHint, String destination) {
        Objects.requireNonNull(fn, what);
        if (!(fn instanceof Serializable)) {
            String cls = fn.getClass().getName();
            throw new IllegalArgumentException("The " + what + " (" + cls + ") cannot be sent to " + destination
                    + ": it does not implement java.io.Serializable. Calls run in another JVM and travel serialized; "
                    + (isLambda(cls) ? "make the lambda serializable with a cast: " + castHint
                    : "make the class implement java.io.Serializable") + ".");
        }
    }

    /**
     * The message for an object that implements {@link Serializable} but could not be serialized
     * (it refers to or captures something that is not).
     *
     * @param what what it is: {@code task}, {@code result}, {@code exception}, ...
     * @param obj the object
     * @param e the failure of its serialization
     * @param destination where it was to go
     * @return a message naming the class at fault and the fix
     */
    public static String notSerializable(String what, Object obj, Throwable e, String destination) {
        String own = obj.getClass().getName();
        String culprit = e instanceof NotSerializableException || e instanceof InvalidClassException
                ? e.getMessage() : String.valueOf(e);
        String cause = culprit != null && culprit.equals(own) ? own + " is not serializable"
                : own + " is not serializable: " + culprit + " (a class it refers to or captures) is not serializable";
        String hint = isLambda(own)
                ? " A lambda is serializable when its target type is: cast it, e.g. (SerializableCallable<T>) () -> ...,"
                        + " and make everything it captures Serializable."
                : " Make it (and every object it refers to) implement java.io.Serializable.";
        return "The " + what + " (" + own + ") cannot be sent to " + destination + ": " + cause + "." + hint;
    }

    /**
     * A runnable as a call whose value is {@code null}; serializable when the runnable is.
     *
     * @param fn the runnable
     * @return the call
     */
    public static Callable<Void> callable(Runnable fn) {
        return new RunnableCall(Objects.requireNonNull(fn, "fn"));
    }

    private static boolean isLambda(String className) {
        return className.contains("$$Lambda");
    }

    /**
     * A plain class, not a record: a record is deserialized through its canonical constructor, found
     * and bound with method handles, which costs a fresh worker JVM tens of milliseconds of class
     * spinning on its first call.
     */
    private static final class RunnableCall implements Callable<Void>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Runnable fn;

        RunnableCall(Runnable fn) {
            this.fn = fn;
        }

        @Override
        public Void call() {
            fn.run();
            return null;
        }
    }
}
