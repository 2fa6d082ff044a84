package io.github.futures.hazelcast;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The calls that a member in this JVM is serving now, whichever executor (in whichever JVM) sent
 * them: what a member that is about to leave waits for. Keyed by the Hazelcast instance's name,
 * which is unique in a JVM.
 *
 * <p>A call is served until its answer is known to be on its way, not merely until it has returned:
 * Hazelcast sends a call's answer after {@code call()} returns, on the same member thread, so a
 * member that left as soon as its calls had returned could shut down before their answers went out,
 * and their callers would see the member lost instead of the value. Each answer is an
 * {@link Answer}, pending until one of these:
 * <ul>
 * <li>the caller confirms it received it ({@link #acknowledged}): an answer that Hazelcast
 *     serializes for a caller in another member while this member is leaving asks for that
 *     confirmation (the caller sends it back as soon as it has the answer), because a leaving
 *     member must not close its connections before the answer has crossed them;</li>
 * <li>Hazelcast has serialized it into its response while this member is not leaving (it then
 *     queues the response on the caller's connection, on the same thread);</li>
 * <li>the caller, on this same member, took the outcome itself (it gets the object unserialized);</li>
 * <li>the member thread that computed it began its next call, and it had asked for no
 *     confirmation (it was sent by then, or dropped by Hazelcast because its call was cancelled).</li>
 * </ul>
 * Hazelcast drops the answer of a call it cancelled (only an executor's {@code abort} cancels calls
 * on members): such an answer is never delivered, so an executor that aborts
 * {@link #abandon abandons} its answers on the members of this JVM, and a drain waits for answers
 * {@link #ANSWER_GRACE} at most once no call runs any more (a caller that died never confirms).
 *
 * <p>Implementation note. One {@code Served} per local member, created on first use and removed
 * when it leaves. Its fields are guarded by its {@code lock}: {@code running} counts the calls
 * between {@link #enter} and {@link #answering} (their code runs); {@code pending} holds the
 * answers between {@link #answering} or {@link #refused} and {@link Answer#handedOver};
 * {@code awaitingAck} maps the confirmation ids handed out ({@code nextAckId}) to their answers;
 * {@code draining} is set once by {@link #drain}, after which {@code enter} refuses (the caller's
 * executor sends such a call to another member, as one that never reached this one; the refusal is
 * itself an answer, counted until delivered); {@code idle} is signalled when {@code running} or
 * {@code pending} becomes empty, or when {@link #limit} moves the drain's {@code deadline} earlier
 * (an abort; it only ever moves earlier). {@code ABANDONED} is read and written under a member's
 * lock for that member's answers (an abandoning executor adds its id, then visits every member).
 * States: serving -> draining (set once); a refused call never ran, so nothing is lost. Per answer:
 * pending -> [awaiting confirmation ->] handed over (once, by a CAS on the answer's flag); the
 * confirmation id is set at most once, under the lock.
 */
final class ServedCalls {

    /**
     * How long a drain waits, once no call's code runs any more, for the answers not yet delivered.
     * A computed answer is handed to Hazelcast by the thread that computed it right after the call
     * returns, and its caller confirms it within a network round trip; this bounds the wait for an
     * answer that Hazelcast dropped (its call was cancelled while it ran) or whose caller is gone.
     */
    static final Duration ANSWER_GRACE = Duration.ofSeconds(5);

    private static final ConcurrentHashMap<String, Served> MEMBERS = new ConcurrentHashMap<>();

    /** How many aborted executors' ids are kept; a forgotten one costs a leaving member at most {@link #ANSWER_GRACE}. */
    static final int ABANDONED_LIMIT = 1024;

    /** The ids of the executors of this JVM that aborted, the most recent {@link #ABANDONED_LIMIT}. */
    private static final Set<String> ABANDONED = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>() {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > ABANDONED_LIMIT;
                }
            }));

    private ServedCalls() {
    }

    private static final class Served {
        final ReentrantLock lock = new ReentrantLock();
        final Condition idle = lock.newCondition();
        /** Guarded by lock. */
        int running;
        /** Guarded by lock: the answers not yet delivered. */
        final Set<Answer> pending = new HashSet<>();
        /** Guarded by lock: the answers whose callers are asked to confirm them, by confirmation id. */
        final Map<Long, Answer> awaitingAck = new HashMap<>();
        /** Guarded by lock: the last confirmation id handed out. */
        long nextAckId;
        /** Guarded by lock. */
        boolean draining;
        /** Guarded by lock: whether {@code deadline} is set (by a drain or by {@link #limit}). */
        boolean limited;
        /** Guarded by lock: when a drain stops waiting, in {@link System#nanoTime()} terms. */
        long deadline;

        /** Moves the deadline earlier only. Call with the lock held. */
        void limitTo(long d) {
            if (!limited || d - deadline < 0L) {
                deadline = d;
                limited = true;
            }
        }

        /** Waits while {@code count} is positive, until {@code until} or the deadline. Call with the lock held. */
        boolean awaitZero(IntSupplier count, long until) {
            boolean interrupted = false;
            for (long left; count.getAsInt() > 0
                    && (left = Math.min(deadline - System.nanoTime(), until - System.nanoTime())) > 0L; ) {
                try {
                    idle.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return interrupted;
        }
    }

    /**
     * A served call's answer (or refusal), pending until delivered; see the class comment. States:
     * pending -> [awaiting confirmation ->] handed over (once; later calls do nothing).
     */
    static final class Answer {
        /** The member that computed the answer. */
        final String member;
        /** The id of the executor that sent the call. */
        final String executorId;
        /** Where it is counted; null if its member had left. */
        private final Served served;
        /** Guarded by served.lock: the confirmation id its caller is asked to send back, or 0. */
        private long ackId;
        /** 0 pending, 1 handed over; changed once, by CAS. */
        @SuppressWarnings("unused")
        private volatile int handedOver;

        private Answer(String member, String executorId, Served served) {
            this.member = member;
            this.executorId = executorId;
            this.served = served;
        }

        /**
         * Hazelcast is serializing this answer for a caller in another member. If the member is
         * leaving, the answer stays pending until the caller confirms it: returns the id the caller
         * sends back. Otherwise returns 0, and the answer is delivered once serialized
         * ({@link #handedOver}).
         */
        long confirmationIfLeaving() {
            if (served == null) {
                return 0L;
            }
            served.lock.lock();
            try {
                if (ackId == 0L && served.draining && served.pending.contains(this)) {
                    ackId = ++served.nextAckId;
                    served.awaitingAck.put(ackId, this);
                }
                return ackId;
            } finally {
                served.lock.unlock();
            }
        }

        /**
         * The thread that computed this answer began another call: the answer was sent or dropped by
         * then. Delivered, unless its caller was asked to confirm it (then that confirmation, or the
         * drain's grace, ends it).
         */
        void threadMovedOn() {
            if (served == null) {
                return;
            }
            served.lock.lock();
            try {
                if (ackId != 0L) {
                    return;
                }
            } finally {
                served.lock.unlock();
            }
            handedOver();
        }

        /** Marks the answer delivered: the member no longer waits for it. Idempotent. */
        void handedOver() {
            if (served != null && HANDED_OVER.compareAndSet(this, 0, 1)) {
                served.lock.lock();
                try {
                    if (ackId != 0L) {
                        served.awaitingAck.remove(ackId);
                    }
                    if (served.pending.remove(this) && served.pending.isEmpty()) {
                        served.idle.signalAll();
                    }
                } finally {
                    served.lock.unlock();
                }
            }
        }

        private static final VarHandle HANDED_OVER;

        static {
            try {
                HANDED_OVER = MethodHandles.lookup().findVarHandle(Answer.class, "handedOver", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * The caller of an answer of the member named {@code instanceName} confirmed that it received it.
     *
     * @param ackId the id the answer carried ({@link Answer#confirmationIfLeaving})
     */
    static void acknowledged(String instanceName, long ackId) {
        Served m = MEMBERS.get(instanceName);
        if (m == null) {
            return;
        }
        Answer a;
        m.lock.lock();
        try {
            a = m.awaitingAck.get(ackId);
        } finally {
            m.lock.unlock();
        }
        if (a != null) {
            a.handedOver();
        }
    }

    /**
     * Counts a call that starts on the member named {@code instanceName}.
     *
     * @return {@code false} if that member is leaving: the call must not run here (see {@link #refused})
     */
    static boolean enter(String instanceName) {
        Served m = MEMBERS.computeIfAbsent(instanceName, n -> new Served());
        m.lock.lock();
        try {
            if (m.draining) {
                return false;
            }
            m.running++;
            return true;
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * A call that {@link #enter entered} has returned: from now on its answer is counted, until
     * handed over.
     *
     * @param executorId the id of the executor that sent the call
     * @return the answer to mark handed over
     */
    static Answer answering(String instanceName, String executorId) {
        return answer(instanceName, executorId, true);
    }

    /**
     * A call that {@link #enter} refused is answered so (the member is leaving): counts that answer
     * until handed over, so that the caller learns the call never ran and sends it elsewhere.
     *
     * @param executorId the id of the executor that sent the call
     * @return the answer to mark handed over
     */
    static Answer refused(String instanceName, String executorId) {
        return answer(instanceName, executorId, false);
    }

    private static Answer answer(String instanceName, String executorId, boolean entered) {
        Served m = MEMBERS.get(instanceName);
        Answer a = new Answer(instanceName, executorId, m);
        if (m == null) {
            return a; // the member has left (a call it let run past its drain): nobody waits for the answer
        }
        m.lock.lock();
        try {
            if (entered && --m.running == 0) {
                m.idle.signalAll();
            }
            if (!ABANDONED.contains(executorId)) {
                m.pending.add(a);
            }
            return a;
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * The executor with id {@code executorId} is aborting: Hazelcast cancels its calls, and drops their
     * answers, so the members of this JVM stop waiting for its answers, now and later.
     */
    static void abandon(String executorId) {
        ABANDONED.add(executorId);
        for (Served m : MEMBERS.values()) {
            m.lock.lock();
            try {
                if (m.pending.removeIf(a -> a.executorId.equals(executorId)) && m.pending.isEmpty()) {
                    m.idle.signalAll();
                }
            } finally {
                m.lock.unlock();
            }
        }
    }

    /** Counts a call that ended without an answer (it threw); pairs with a successful {@link #enter}. */
    static void exit(String instanceName) {
        Served m = MEMBERS.get(instanceName);
        if (m == null) {
            return;
        }
        m.lock.lock();
        try {
            if (--m.running == 0) {
                m.idle.signalAll();
            }
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * Refuses new calls on the member named {@code instanceName}, then waits until the calls it runs
     * have ended and their answers have been delivered, {@code timeout} at most (and
     * {@link #ANSWER_GRACE} at most for the answers, once no call runs any more).
     *
     * @return how many calls were still running or unanswered when it gave up (0: all answered)
     */
    static int drain(String instanceName, Duration timeout) {
        Served m = MEMBERS.computeIfAbsent(instanceName, n -> new Served());
        boolean interrupted = false;
        m.lock.lock();
        try {
            m.draining = true;
            m.limitTo(System.nanoTime() + nanos(timeout));
            interrupted = m.awaitZero(() -> m.running, m.deadline);
            interrupted |= m.awaitZero(() -> m.pending.size(), System.nanoTime() + nanos(ANSWER_GRACE));
            return m.running + m.pending.size();
        } finally {
            m.lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Makes a drain of the member named {@code instanceName}, present or to come, stop waiting
     * {@code timeout} from now at the latest (an abort).
     */
    static void limit(String instanceName, Duration timeout) {
        Served m = MEMBERS.computeIfAbsent(instanceName, n -> new Served());
        m.lock.lock();
        try {
            m.limitTo(System.nanoTime() + nanos(timeout));
            m.idle.signalAll();
        } finally {
            m.lock.unlock();
        }
    }

    /** Forgets a member that has left (a new one with the same name would start serving afresh). */
    static void forget(String instanceName) {
        MEMBERS.remove(instanceName);
    }

    /**
     * The number of calls that the member named {@code instanceName} serves: running, or answered and
     * the answer not yet delivered.
     *
     * @return the count
     */
    static int running(String instanceName) {
        Served m = MEMBERS.get(instanceName);
        if (m == null) {
            return 0;
        }
        m.lock.lock();
        try {
            return m.running + m.pending.size();
        } finally {
            m.lock.unlock();
        }
    }

    /**
     * Nanoseconds of a duration for deadline arithmetic ({@code System.nanoTime() + nanos}): negative is 0,
     * and anything longer is capped at about 73 years, so that the sum cannot overflow. Shared by the
     * executor's waits.
     */
    static long nanos(Duration d) {
        try {
            return Math.max(0L, Math.min(d.toNanos(), Long.MAX_VALUE >> 2));
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE >> 2;
        }
    }
}
