package io.github.futures.spi;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * What the executors whose calls travel to another JVM (process and cluster pools) share about
 * serializing them: one check with one message, one way to send a runnable as a call, and one way
 * to read what the other side sent (through a deserialization filter, always). Internal to the
 * project's executors.
 */
public final class Serialization {

    /**
     * The default deserialization filter pattern: limits that no sane call reaches, and a refusal of
     * the classic gadget classes. Everything else (that is, any application class) is let through:
     * the other end is this application's own code, on this application's class path. Besides the
     * pattern, {@link #deserialize} refuses any array longer than the payload it is read from (every
     * element takes at least one byte on the wire), so a small payload cannot ask for a huge array.
     */
    public static final String DEFAULT_FILTER = "maxdepth=2000;maxrefs=50000000"
            + ";!org.apache.commons.collections.functors.*"
            + ";!org.apache.commons.collections4.functors.*"
            + ";!org.codehaus.groovy.runtime.ConvertedClosure"
            + ";!org.codehaus.groovy.runtime.MethodClosure"
            + ";!com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl"
            + ";!org.apache.xalan.xsltc.trax.TemplatesImpl"
            + ";!com.sun.rowset.JdbcRowSetImpl"
            + ";!java.rmi.server.UnicastRemoteObject"
            + ";!java.rmi.server.RemoteObjectInvocationHandler";

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

    /**
     * Creates the filter for a pattern.
     *
     * @param pattern an {@link ObjectInputFilter.Config#createFilter} pattern; {@code null} or empty
     *                means {@link #DEFAULT_FILTER}
     * @return the filter
     * @throws IllegalArgumentException if the pattern is malformed
     */
    public static ObjectInputFilter filter(String pattern) {
        String p = pattern == null || pattern.isEmpty() ? DEFAULT_FILTER : pattern;
        return ObjectInputFilter.Config.createFilter(p);
    }

    /**
     * Deserializes one object from {@code payload[offset, offset + length)} through {@code filter}
     * (then the JVM-wide filter, if the first leaves a class undecided), refusing any array longer
     * than {@code length}; classes are resolved with {@code loader} first.
     *
     * @param payload the bytes
     * @param offset where the object starts
     * @param length how many bytes it may take
     * @param filter the filter; {@code null} for the JVM-wide one only
     * @param loader the loader to resolve classes with first, or {@code null}
     * @param allowHint how the user allows a refused class, for the message, e.g.
     *                  {@code "ProcessPoolExecutor.builder().serialFilter(...)"}
     * @return the object
     * @throws InvalidClassException naming the refused class (or the limit) when the filter refused
     * @throws IOException if the bytes are not a serialized object
     * @throws ClassNotFoundException if a class is missing
     */
    public static Object deserialize(byte[] payload, int offset, int length, ObjectInputFilter filter,
                                     ClassLoader loader, String allowHint) throws IOException, ClassNotFoundException {
        Recording recording = new Recording(filter, length);
        try (FilteredInput in = new FilteredInput(new ByteArrayInputStream(payload, offset, length), loader)) {
            in.setObjectInputFilter(recording);
            return in.readObject();
        } catch (InvalidClassException e) {
            String refused = recording.refused;
            if (refused != null) {
                InvalidClassException named = refusal(refused, allowHint);
                named.initCause(e);
                throw named;
            }
            throw e;
        }
    }

    /**
     * Shows one class to {@code filter} (then to the JVM-wide filter, if the first leaves it
     * undecided) as a serialization stream of {@code streamBytes} bytes would show it, at depth 1:
     * for data that travels without a stream but names classes that deserialization would have let
     * through the filter or not.
     *
     * @param filter the filter; {@code null} for the JVM-wide one only
     * @param c the class
     * @param references the references read so far, this one included
     * @param streamBytes the bytes read
     * @param allowHint how the user allows a refused class, for the message
     * @throws InvalidClassException naming the class, as {@link #deserialize} does, when it is refused
     */
    public static void checkClass(ObjectInputFilter filter, Class<?> c, long references, long streamBytes,
                                  String allowHint) throws InvalidClassException {
        Objects.requireNonNull(c, "c");
        Recording recording = new Recording(filter, streamBytes);
        if (recording.checkInput(new OneClass(c, references, streamBytes)) == ObjectInputFilter.Status.REJECTED) {
            throw refusal(recording.refused, allowHint);
        }
    }

    /**
     * The exception for a class the deserialization filter refused, as {@link #deserialize} throws it.
     *
     * @param refused the refused class's name (or what was over a limit)
     * @param allowHint how the user allows it
     * @return the exception
     */
    public static InvalidClassException refusal(String refused, String allowHint) {
        return new InvalidClassException(refused,
                "refused by the deserialization filter; allow it with " + allowHint
                        + " (the default filter lets every class through but a few known gadget classes,"
                        + " and limits depth to 2000, references to 50000000 and arrays to the length"
                        + " of the message)");
    }

    /** What a filter is shown for one class at depth 1 (an empty array for an array class). */
    private record OneClass(Class<?> serialClass, long references, long streamBytes) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return serialClass.isArray() ? 0L : -1L;
        }

        @Override
        public long depth() {
            return 1L;
        }
    }

    /** Resolves classes with a given loader (the application's), not the caller's. */
    private static final class FilteredInput extends ObjectInputStream {
        private final ClassLoader loader;

        FilteredInput(ByteArrayInputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // primitives and classes of other loaders: the default lookup below
                }
            }
            return super.resolveClass(desc);
        }
    }

    /**
     * Refuses arrays longer than the payload, then delegates to a filter, then to the JVM-wide one,
     * and remembers what was refused.
     */
    private static final class Recording implements ObjectInputFilter {
        private final ObjectInputFilter filter;
        private final long maxArray;
        String refused;

        Recording(ObjectInputFilter filter, long maxArray) {
            this.filter = filter;
            this.maxArray = maxArray;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            Status s;
            if (info.arrayLength() > maxArray) {
                s = Status.REJECTED;
            } else {
                s = filter == null ? Status.UNDECIDED : filter.checkInput(info);
                if (s == Status.UNDECIDED) {
                    ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();
                    if (global != null) {
                        s = global.checkInput(info);
                    }
                }
            }
            if (s == Status.REJECTED && refused == null) {
                Class<?> c = info.serialClass();
                refused = info.arrayLength() > maxArray
                        ? "(an array of " + info.arrayLength() + " elements in a message of " + maxArray + " bytes)"
                        : c != null ? c.getName()
                        : "(depth " + info.depth() + ", references " + info.references() + ", array length "
                                + info.arrayLength() + ")";
            }
            return s;
        }
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
