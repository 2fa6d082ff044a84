package io.github.futures.hazelcast;

import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;

/**
 * What travels to a member through Hazelcast's {@code IExecutorService}: the user's call, already
 * serialized, and the id of the executor that sent it. On the member it deserializes the call, runs
 * it, and answers with an {@link Outcome} that is either the serialized value or the serialized
 * exception. The call's own exception therefore never passes through Hazelcast's failure path:
 * a failed Hazelcast invocation always means the infrastructure failed (member left, instance
 * stopped), never the user's code.
 */
final class RemoteCall implements Callable<RemoteCall.Outcome>, Serializable {

    private static final long serialVersionUID = 1L;

    /** The id of the executor whose call this thread runs now; lets {@code shutdown} know it is called from inside. */
    static final ThreadLocal<String> CURRENT_EXECUTOR = new ThreadLocal<>();

    private final byte[] call;
    private final String executorId;

    RemoteCall(byte[] call, String executorId) {
        this.call = call;
        this.executorId = executorId;
    }

    @Override
    public Outcome call() {
        Callable<?> fn;
        try {
            fn = (Callable<?>) Wire.fromBytes(call);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return Outcome.failure(new IllegalStateException("member " + memberName()
                    + " cannot deserialize the call (is the application's class path the same on every member?): " + e, e));
        }
        Object value;
        String previous = CURRENT_EXECUTOR.get();
        CURRENT_EXECUTOR.set(executorId);
        try {
            value = fn.call();
        } catch (Throwable t) {
            return Outcome.failure(t);
        } finally {
            if (previous == null) {
                CURRENT_EXECUTOR.remove();
            } else {
                CURRENT_EXECUTOR.set(previous);
            }
        }
        try {
            return new Outcome(Wire.toBytes(value), false);
        } catch (IOException e) {
            return Outcome.failure(new IllegalStateException("the call's result cannot be sent back: "
                    + Wire.whyNotSerializable(value, e), e));
        }
    }

    private static String memberName() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    /**
     * A call's outcome: a serialized value, or a serialized exception.
     *
     * @param payload the serialized value or exception
     * @param failed whether {@code payload} is an exception
     */
    record Outcome(byte[] payload, boolean failed) implements Serializable {

        static Outcome failure(Throwable t) {
            try {
                return new Outcome(Wire.toBytes(t), true);
            } catch (IOException | RuntimeException notSerializable) {
                // The exception (or something it holds) is not serializable: send its text and stack trace.
                RemoteCallException copy = new RemoteCallException(t.getClass().getName()
                        + (t.getMessage() == null ? "" : ": " + t.getMessage()));
                copy.setStackTrace(t.getStackTrace());
                try {
                    return new Outcome(Wire.toBytes(copy), true);
                } catch (IOException impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
        }
    }
}
