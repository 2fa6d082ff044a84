package io.github.futures.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.github.futures.process.CallContext;
import io.github.futures.spi.Serialization;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * What travels to a member through Hazelcast's {@code IExecutorService}: the user's call, already
 * serialized, the id of the executor that sent it, its initializer and its deserialization filter
 * pattern. On the member it reads the call through that filter, under the veto of the member's own
 * ({@link Wire#underMember}), runs it, and answers with an
 * {@link Outcome} that is either the serialized value or the serialized exception. The call's own
 * exception therefore never passes through Hazelcast's failure path: a failed Hazelcast invocation
 * always means the infrastructure failed (member left, instance stopped), never the user's code.
 *
 * <p>It and its outcome are {@link DataSerializable}: Hazelcast writes their byte arrays and strings
 * as they are, rather than running Java serialization a second time over what is already
 * serialized (so Hazelcast itself deserializes no object graph of ours). Hazelcast creates them
 * through their no-argument constructors.
 *
 * <p>With a call interceptor, the caller's context entries (MDC entries, the W3C {@code traceparent})
 * travel with the call and are put as MDC entries on the member thread around it (with
 * {@code traceId}/{@code spanId} from a valid traceparent) when SLF4J is on the member's class path,
 * then put back as they were: nothing leaks into the next call that thread runs.
 *
 * <p>A member that is leaving ({@link ServedCalls#drain}) refuses new calls with
 * {@link Outcome#MEMBER_LEAVING}; the caller sends them elsewhere, since they never ran. A member
 * counts each call it serves until the call's answer (or refusal) has been delivered
 * ({@link ServedCalls.Answer}), so that it does not leave between the call's end and the answer's
 * arrival: while it is leaving, its answers ask their callers to confirm them ({@link Received}).
 */
final class RemoteCall implements Callable<RemoteCall.Outcome>, DataSerializable, HazelcastInstanceAware {

    /** The id of the executor whose call this thread runs now; lets {@code shutdown} know it is called from inside. */
    static final ThreadLocal<String> CURRENT_EXECUTOR = new ThreadLocal<>();

    /** How many executors' initializers a member thread remembers having run; the oldest is forgotten first. */
    private static final int INITIALIZED_LIMIT = 1024;

    /**
     * The answer of the last call this member thread ran, until it is handed over: the thread's next
     * call marks it handed over if nothing else did (see {@link ServedCalls}).
     */
    private static final ThreadLocal<ServedCalls.Answer> UNSENT = new ThreadLocal<>();

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
    /** The filter pattern; empty for {@link Serialization#DEFAULT_FILTER}. */
    private String filter;
    /**
     * The caller's context entries (a call scope's remote context, bounded as CallContext bounds it),
     * restored as MDC entries around the call on the member; empty when none.
     */
    private Map<String, String> context = Map.of();
    /** The member that runs the call; injected by Hazelcast on the member. */
    private transient String memberName;

    /** For Hazelcast's deserialization only. */
    RemoteCall() {
    }

    RemoteCall(byte[] call, String executorId, byte[] initializer, String filter, Map<String, String> context) {
        this.call = call;
        this.executorId = executorId;
        this.initializer = initializer;
        this.filter = filter == null ? "" : filter;
        this.context = CallContext.bounded(context);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByteArray(call);
        out.writeString(executorId);
        out.writeByteArray(initializer);
        out.writeString(filter);
        out.writeInt(context.size()); // one int when there is no context
        for (Map.Entry<String, String> e : context.entrySet()) {
            out.writeString(e.getKey());
            out.writeString(e.getValue());
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        call = in.readByteArray();
        executorId = in.readString();
        initializer = in.readByteArray();
        filter = in.readString();
        int n = in.readInt();
        if (n < 0 || n > CallContext.MAX_ENTRIES) {
            throw new IOException("a call context of " + n + " entries (at most " + CallContext.MAX_ENTRIES + ")");
        }
        if (n > 0) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String k = in.readString();
                String v = in.readString();
                if (k == null || v == null || k.length() > CallContext.MAX_STRING || v.length() > CallContext.MAX_STRING) {
                    throw new IOException("a malformed call context entry " + i);
                }
                m.put(k, v);
            }
            context = m;
        }
    }

    /** @return the id of the executor that sends this call */
    String executorId() {
        return executorId;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.memberName = instance.getName();
    }

    @Override
    public Outcome call() {
        String member = memberName;
        if (member == null) {
            return run();
        }
        ServedCalls.Answer previous = UNSENT.get();
        if (previous != null) {
            // This thread's previous call is over (Hazelcast runs one at a time per thread), and with it
            // the sending of its answer, or Hazelcast dropped that answer (the call was cancelled).
            UNSENT.remove();
            previous.threadMovedOn();
        }
        if (!ServedCalls.enter(member)) {
            return answer(new Outcome(new byte[0], Outcome.MEMBER_LEAVING), ServedCalls.refused(member, executorId));
        }
        Outcome outcome;
        try {
            outcome = run();
        } catch (RuntimeException | Error e) {
            ServedCalls.exit(member); // no answer of ours: Hazelcast sends the failure
            throw e;
        }
        return answer(outcome, ServedCalls.answering(member, executorId));
    }

    /** Ties an outcome to its answer, which the member counts until Hazelcast begins to send it. */
    private static Outcome answer(Outcome outcome, ServedCalls.Answer answer) {
        outcome.answer = answer;
        UNSENT.set(answer);
        return outcome;
    }

    private Outcome run() {
        ObjectInputFilter f;
        try {
            f = Wire.underMember(memberName, Wire.filter(filter));
        } catch (IllegalArgumentException e) {
            return Outcome.of(Outcome.FAILED, new IllegalStateException("member " + jvmName()
                    + " cannot use the deserialization filter '" + filter + "': " + e.getMessage(), e));
        }
        ClassLoader loader = Wire.loader();
        if (initializer != null && !INITIALIZED.get().contains(executorId)) {
            try {
                ((Runnable) Wire.read(initializer, f, loader)).run();
            } catch (Throwable t) {
                return Outcome.of(Outcome.INITIALIZER_FAILED, t);
            }
            INITIALIZED.get().add(executorId);
        }
        Callable<?> fn;
        try {
            fn = (Callable<?>) Wire.read(call, f, loader);
        } catch (IOException | ClassNotFoundException | RuntimeException | Error e) {
            // An error too (a class that fails to link here, a readObject that throws one): thrown on, it
            // would travel in Hazelcast's failure response, which the caller cannot read if it is the
            // application's class, and the call would never end there.
            return Outcome.of(Outcome.FAILED, new IllegalStateException("member " + jvmName()
                    + " cannot deserialize the call (is the application's class path the same on every member?): " + e, e));
        }
        Object value;
        String previous = CURRENT_EXECUTOR.get();
        CURRENT_EXECUTOR.set(executorId);
        CallContext.Restore restore = context.isEmpty() ? null : CallContext.enter(context, loader);
        try {
            value = fn.call();
        } catch (Throwable t) {
            return Outcome.of(Outcome.FAILED, t);
        } finally {
            CallContext.exit(restore); // the caller's MDC entries are put back as they were, whatever the outcome
            if (previous == null) {
                CURRENT_EXECUTOR.remove();
            } else {
                CURRENT_EXECUTOR.set(previous);
            }
        }
        try {
            return new Outcome(Wire.toBytes(value), Outcome.VALUE);
        } catch (IOException | RuntimeException | Error e) { // an error too: see the reading of the call above
            return Outcome.of(Outcome.FAILED, new IllegalStateException(
                    Serialization.notSerializable("result", value, e, "the caller"), e));
        }
    }

    private static String jvmName() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    /**
     * A caller's confirmation that it received an outcome which its member, leaving, asked it to
     * confirm ({@link Outcome#confirmation()}): run on that member, it lets the member stop waiting for
     * that answer ({@link ServedCalls#acknowledged}).
     */
    static final class Received implements Runnable, DataSerializable, HazelcastInstanceAware {
        private long confirmation;
        /** The member that runs it; injected by Hazelcast on the member. */
        private transient String memberName;

        /** For Hazelcast's deserialization only. */
        Received() {
        }

        Received(long confirmation) {
            this.confirmation = confirmation;
        }

        @Override
        public void run() {
            if (memberName != null) {
                ServedCalls.acknowledged(memberName, confirmation);
            }
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            this.memberName = instance.getName();
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(confirmation);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            confirmation = in.readLong();
        }
    }

    /** A call's outcome: a serialized value, the call's serialized exception, or the initializer's. */
    static final class Outcome implements DataSerializable {
        /** The payload is the call's value. */
        static final byte VALUE = 0;
        /** The payload is the call's exception. */
        static final byte FAILED = 1;
        /** The payload is the initializer's exception; the call did not run. */
        static final byte INITIALIZER_FAILED = 2;
        /** The member is leaving and did not run the call; the payload is empty. */
        static final byte MEMBER_LEAVING = 3;

        /**
         * For tests only: run on the member thread as Hazelcast begins to send an answer (before it is
         * marked handed over), with the member's name; null otherwise.
         */
        static volatile Consumer<String> sendingHook;

        private byte[] payload;
        private byte kind;
        /**
         * The id the caller sends back to confirm it received this outcome ({@link Received}), or 0 when
         * its member does not ask for one (it was not leaving when the outcome was sent).
         */
        private long confirmation;
        /** On the member that computed it: its answer, marked delivered once sent; null elsewhere. */
        transient ServedCalls.Answer answer;

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

        /** @return {@link #VALUE}, {@link #FAILED}, {@link #INITIALIZER_FAILED} or {@link #MEMBER_LEAVING} */
        byte kind() {
            return kind;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            // Hazelcast writes an answer into its response to a caller in another member here, on the
            // thread that ran the call, and queues that response on the caller's connection right after.
            // A member that is leaving asks the caller to confirm the answer and waits for that, rather
            // than close its connections with the response perhaps still queued on them.
            ServedCalls.Answer a = answer;
            Consumer<String> hook = sendingHook;
            if (hook != null && a != null) {
                hook.accept(a.member);
            }
            long confirm = a == null ? 0L : a.confirmationIfLeaving();
            try {
                out.writeByte(kind);
                out.writeByteArray(payload);
                out.writeLong(confirm);
            } finally {
                if (confirm == 0L) {
                    handedOver();
                }
            }
        }

        /** @return the id to send back to the member in a {@link Received}, or 0 if it asks for none */
        long confirmation() {
            return confirmation;
        }

        /**
         * Marks this outcome's answer handed over: its member no longer waits for it before leaving. A
         * caller on the same member gets the outcome itself, unserialized, and calls this on receipt.
         */
        void handedOver() {
            ServedCalls.Answer a = answer;
            if (a != null) {
                a.handedOver();
            }
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            kind = in.readByte();
            payload = in.readByteArray();
            confirmation = in.readLong();
        }

        static Outcome of(byte kind, Throwable t) {
            try {
                return new Outcome(Wire.toBytes(t), kind);
            } catch (IOException | RuntimeException | Error notSerializable) {
                // The exception (or something it holds) is not serializable, or its writing threw an error:
                // send its text and stack trace.
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
