package io.github.futures.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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

    private byte[] call;
    private String executorId;

    /** For Hazelcast's deserialization only. */
    RemoteCall() {
    }

    RemoteCall(byte[] call, String executorId) {
        this.call = call;
        this.executorId = executorId;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByteArray(call);
        out.writeString(executorId);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        call = in.readByteArray();
        executorId = in.readString();
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

    /** A call's outcome: a serialized value, or a serialized exception. */
    static final class Outcome implements DataSerializable {
        private byte[] payload;
        private boolean failed;

        /** For Hazelcast's deserialization only. */
        Outcome() {
        }

        Outcome(byte[] payload, boolean failed) {
            this.payload = payload;
            this.failed = failed;
        }

        /** @return the serialized value or exception */
        byte[] payload() {
            return payload;
        }

        /** @return whether {@link #payload()} is an exception */
        boolean failed() {
            return failed;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeBoolean(failed);
            out.writeByteArray(payload);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            failed = in.readBoolean();
            payload = in.readByteArray();
        }

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
