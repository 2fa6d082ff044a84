package io.github.futures.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * What travels to a member through Hazelcast's {@code IExecutorService}: the user's call, already
 * serialized, and the id of the executor that sent it. On the member it deserializes the call, runs
 * it, and answers with an {@link Outcome} that is either the serialized value or the serialized
 * exception. The call's own exception therefore never passes through Hazelcast's failure path:
 * a failed Hazelcast invocation always means the infrastructure failed (member left, instance
 * stopped), never the user's code.
 *
 * <p>It and its outcome are {@link DataSerializable}: Hazelcast writes their byte arrays as they are,
 * rather than running Java serialization a second time over what is already serialized. Hazelcast
 * creates them through their no-argument constructors.
 */
final class RemoteCall implements Callable<RemoteCall.Outcome>, DataSerializable {

    /** The id of the executor whose call this thread runs now; lets {@code shutdown} know it is called from inside. */
    static final ThreadLocal<String> CURRENT_EXECUTOR = new ThreadLocal<>();

    /** How many executors' initializers a member thread remembers having run; the oldest is forgotten first. */
    private static final int INITIALIZED_LIMIT = 1024;

    /** The executors whose initializer this member thread has run. */
    private static final ThreadLocal<Set<String>> INITIALIZED = ThreadLocal.withInitial(() ->
            Collections.newSetFromMap(new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > INITIALIZED_LIMIT;
                }
            }));

    private byte[] call;
    private String executorId;
    /** The serialized initializer, or null. */
    private byte[] initializer;

    /** For Hazelcast's deserialization only. */
    RemoteCall() {
    }

    RemoteCall(byte[] call, String executorId, byte[] initializer) {
        this.call = call;
        this.executorId = executorId;
        this.initializer = initializer;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByteArray(call);
        out.writeString(executorId);
        out.writeByteArray(initializer);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        call = in.readByteArray();
        executorId = in.readString();
        initializer = in.readByteArray();
    }

    @Override
    public Outcome call() {
        if (initializer != null && !INITIALIZED.get().contains(executorId)) {
            try {
                ((Runnable) Wire.fromBytes(initializer)).run();
            } catch (Throwable t) {
                return Outcome.of(Outcome.INITIALIZER_FAILED, t);
            }
            INITIALIZED.get().add(executorId);
        }
        Callable<?> fn;
        try {
            fn = (Callable<?>) Wire.fromBytes(call);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return Outcome.of(Outcome.FAILED, new IllegalStateException("member " + memberName()
                    + " cannot deserialize the call (is the application's class path the same on every member?): " + e, e));
        }
        Object value;
        String previous = CURRENT_EXECUTOR.get();
        CURRENT_EXECUTOR.set(executorId);
        try {
            value = fn.call();
        } catch (Throwable t) {
            return Outcome.of(Outcome.FAILED, t);
        } finally {
            if (previous == null) {
                CURRENT_EXECUTOR.remove();
            } else {
                CURRENT_EXECUTOR.set(previous);
            }
        }
        try {
            return new Outcome(Wire.toBytes(value), Outcome.VALUE);
        } catch (IOException e) {
            return Outcome.of(Outcome.FAILED, new IllegalStateException("the call's result cannot be sent back: "
                    + Wire.whyNotSerializable(value, e), e));
        }
    }

    private static String memberName() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    /** A call's outcome: a serialized value, the call's serialized exception, or the initializer's. */
    static final class Outcome implements DataSerializable {
        /** The payload is the call's value. */
        static final byte VALUE = 0;
        /** The payload is the call's exception. */
        static final byte FAILED = 1;
        /** The payload is the initializer's exception; the call did not run. */
        static final byte INITIALIZER_FAILED = 2;

        private byte[] payload;
        private byte kind;

        /** For Hazelcast's deserialization only. */
        Outcome() {
        }

        Outcome(byte[] payload, byte kind) {
            this.payload = payload;
            this.kind = kind;
        }

        /** @return the serialized value or exception */
        byte[] payload() {
            return payload;
        }

        /** @return {@link #VALUE}, {@link #FAILED} or {@link #INITIALIZER_FAILED} */
        byte kind() {
            return kind;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeByte(kind);
            out.writeByteArray(payload);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            kind = in.readByte();
            payload = in.readByteArray();
        }

        static Outcome of(byte kind, Throwable t) {
            try {
                return new Outcome(Wire.toBytes(t), kind);
            } catch (IOException | RuntimeException notSerializable) {
                // The exception (or something it holds) is not serializable: send its text and stack trace.
                RemoteCallException copy = new RemoteCallException(t.getClass().getName()
                        + (t.getMessage() == null ? "" : ": " + t.getMessage()));
                copy.setStackTrace(t.getStackTrace());
                try {
                    return new Outcome(Wire.toBytes(copy), kind);
                } catch (IOException impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
        }
    }
}
