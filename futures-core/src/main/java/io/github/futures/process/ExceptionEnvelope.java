package io.github.futures.process;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * How an exception of a worker travels: the exception serialized on its own (so that a class that
 * cannot be serialized, or that the parent does not have, still leaves its name, message and stack
 * trace), plus its description in plain strings. It travels as plain strings and bytes
 * ({@link Wire#writeEnvelope}), not Java-serialized: only the exception itself is deserialized, through
 * the pool's filter.
 */
final class ExceptionEnvelope {

    final String className;
    final String message;
    final String trace;
    /** The serialized exception, or {@code null} when it could not be serialized. */
    final byte[] serialized;
    /** Why {@link #serialized} is {@code null}. */
    final String notSerializedBecause;

    ExceptionEnvelope(String className, String message, String trace, byte[] serialized, String notSerializedBecause) {
        this.className = className;
        this.message = message;
        this.trace = trace;
        this.serialized = serialized;
        this.notSerializedBecause = notSerializedBecause;
    }

    /**
     * {@code t.toString()}, or its class name when that throws (or never ends: a stack overflow). The
     * failures the pool describes come from user code (a call's result or exception, their
     * serialization), so their description may fail too; it must not take the worker or the reader down.
     * The parent's side has the same rule ({@code io.github.futures.Throwables}).
     */
    static String describe(Throwable t) {
        try {
            return t.toString();
        } catch (Throwable unprintable) {
            return t.getClass().getName() + " (its toString() threw " + unprintable.getClass().getName() + ")";
        }
    }

    static String traceOf(Throwable t) {
        StringWriter w = new StringWriter();
        try (PrintWriter p = new PrintWriter(w)) {
            t.printStackTrace(p);
        }
        return w.toString();
    }
}
