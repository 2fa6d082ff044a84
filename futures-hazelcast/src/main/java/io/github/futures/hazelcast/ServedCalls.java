package io.github.futures.hazelcast;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The calls that a member in this JVM is running now, whichever executor (in whichever JVM) sent
 * them: what a member that is about to leave waits for. Keyed by the Hazelcast instance's name,
 * which is unique in a JVM.
 *
 * <p>Implementation note. One {@code Served} per local member, created on first use and removed
 * when it drains. Its fields are guarded by its {@code lock}: {@code running} counts the calls
 * between {@link #enter} and {@link #exit}; {@code draining} is set once by {@link #drain}, after
 * which {@code enter} refuses (the caller's executor sends such a call to another member, as one
 * that never reached this one); {@code idle} is signalled when {@code running} reaches zero, or
 * when {@link #limit} moves the drain's {@code deadline} earlier (an abort; it only ever moves
 * earlier). States:
 * serving -> draining (set once); a refused call never ran, so nothing is lost.
 */
final class ServedCalls {

    private static final ConcurrentHashMap<String, Served> MEMBERS = new ConcurrentHashMap<>();

    private ServedCalls() {
    }

    private static final class Served {
        final ReentrantLock lock = new ReentrantLock();
        final Condition idle = lock.newCondition();
        /** Guarded by lock. */
        int running;
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
    }

    /**
     * Counts a call that starts on the member named {@code instanceName}.
     *
     * @return {@code false} if that member is leaving: the call must not run here
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

    /** Counts a call that ended; pairs with a successful {@link #enter}. */
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
     * have ended, {@code timeout} at most.
     *
     * @return how many calls were still running when it gave up (0: all ended)
     */
    static int drain(String instanceName, Duration timeout) {
        Served m = MEMBERS.computeIfAbsent(instanceName, n -> new Served());
        boolean interrupted = false;
        m.lock.lock();
        try {
            m.draining = true;
            m.limitTo(System.nanoTime() + nanos(timeout));
            for (long left; m.running > 0 && (left = m.deadline - System.nanoTime()) > 0L; ) {
                try {
                    m.idle.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return m.running;
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
     * The number of calls running on the member named {@code instanceName}.
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
            return m.running;
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
