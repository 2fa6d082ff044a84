package io.github.futures;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The thread pool's admission and termination protocol: which calls are accepted, when a worker may
 * leave, and when the pool has ended. Kept apart from the threads so that it can be model-checked
 * (WorkQueueLincheckTest) with the same code the pool runs.
 *
 * <pre>
 *   submit:   admit() ──► offer(task) ──► accepted (a worker or cancelFutures ends it)
 *                │              └── closed meanwhile and the task still queued: taken back, rejected
 *                └── closed: rejected
 *   worker:   poll() ... nothing: mayExit()? (shut down, then the queue found empty) ──► release()
 *   end:      SHUTDOWN set and no unit left ──► terminated (waiters told)
 * </pre>
 *
 * @param <T> the queued item
 */
final class WorkQueue<T extends WorkQueue.Item> {

    /*
     * Implementation note.
     *
     * 'ctl' holds two flags and a count of units. A unit is an admitted call that has not ended (from
     * admit() until the submitter takes it back, or until whoever took it from the queue has run,
     * cancelled or failed it and called release()), or a live worker (from before its thread starts
     * until its last action). Transitions, each one CAS or atomic add on 'ctl':
     *
     *   open, n units      -> open, n+1         admit (refused once SHUTDOWN or BROKEN is set)
     *   any, n             -> any, n+1          workerStarting (the caller holds a unit: n > 0)
     *   any, n             -> any, n-1          release
     *   open, n            -> SHUTDOWN, n       shutdown;   -> BROKEN, n   close
     *   SHUTDOWN, 0                             terminated: final, told once to the waiters
     *
     * Why termination cannot come early: a submit holds its unit before it offers, and a worker is
     * counted before its thread starts by someone who holds a unit, so the count cannot reach 0 while
     * a call or a worker that may still run one exists. (Joining a list of threads could: join() on a
     * thread not yet started returns at once.)
     *
     * Why an accepted call is never stranded: a worker leaves only after it read SHUTDOWN and then
     * found the queue empty (mayExit); a submitter reads the flags after its offer. If the worker's
     * look came first, the offer came after the flag was set, so the submitter sees it and takes its
     * call back (or, if someone took it first, that one ends it). Otherwise the worker sees the call.
     *
     * A worker need not release each call's unit when the call ends: it may count its ended calls
     * and release them together (release(n)) no later than its own unit, i.e. when it leaves (the
     * thread pool also does before a worker parks or waits for termination). Units held longer never
     * bring termination early, and these do not delay it either: the queue cannot end before the
     * worker holding them leaves. So a flood of calls costs the workers no atomic add on 'ctl' per
     * call. Whoever gives up a worker (ThreadPool.abandon) releases its count with its own unit.
     *
     * Waiting for termination uses 'lock'/'ended' and is signalled only after SHUTDOWN is set, so a
     * running pool's release() is one atomic add. 'waiters' (guarded by 'lock') counts waiting threads.
     * A thread of the pool's own that waits (a call, or a callback, that shuts its pool down with wait)
     * holds units that cannot end before it returns; 'ownWaits' (guarded by 'lock') sums the units of
     * all such threads between beginOwnWait and endOwnWait, and each of them waits until no more units
     * are left than that sum: for the pool's other work, not for itself nor for the others waiting as it
     * does (waiting for each other, two such calls would hang for good).
     *
     * The queue itself is intrusive: each item carries its own link (Item), so a queued call costs no
     * node of its own (a ConcurrentLinkedQueue node was 24 of a queued call's 80 bytes). It is the
     * Michael-Scott queue: 'head' is a dummy, the item taken last (or a Sentinel), and 'tail' never
     * falls behind 'head' (a poll moves 'tail' on before it moves 'head' past it), though it may lag
     * one item behind the last (link). A poll that wins the CAS of 'head' from h to h.next owns
     * h.next: it self-links h (h.next = h, as ConcurrentLinkedQueue does, so that a future kept by its owner
     * never holds the items queued after it; a reader that meets a self-link starts again from
     * 'head') and then claims the item. Claiming (Item.claim, one CAS on the item) is what makes an
     * item belong to exactly one taker, because a submitter may take its item back (offer, when the
     * queue closed meanwhile) while a poll moves 'head' over it: whichever claims first has it; an
     * item taken back stays linked and is passed over. A poll that finds nothing behind a taken item
     * queues a fresh Sentinel and moves 'head' onto it, so that an idle pool does not hold its last
     * call's result.
     */

    /**
     * An item that carries its own link. The queue reads and writes the link only through these
     * methods; the item never touches it.
     */
    interface Item {
        /** The next item (volatile read), null at the tail, or this item once it left the queue. */
        Item queueNext();

        /** CAS of the link. */
        boolean casQueueNext(Item expect, Item update);

        /** Self-links the item (a release write of this) once it left the queue. */
        void unlinkQueueNext();

        /** Takes the item, once: true for exactly one caller (a poll or the submitter taking it back). */
        boolean claim();

        /** Whether claim() was won, while the item is still behind 'head' (a volatile read). */
        boolean claimed();
    }

    /** A dummy head: never claimed. */
    private static final class Sentinel implements Item {
        private volatile Item next;

        @Override
        public Item queueNext() {
            return next;
        }

        @Override
        public boolean casQueueNext(Item expect, Item update) {
            return SENTINEL_NEXT.compareAndSet(this, expect, update);
        }

        @Override
        public void unlinkQueueNext() {
            SENTINEL_NEXT.setRelease(this, this);
        }

        @Override
        public boolean claim() {
            return false;
        }

        @Override
        public boolean claimed() {
            return true;
        }
    }

    private static final long SHUTDOWN = 1L << 62;
    private static final long BROKEN = 1L << 61;
    private static final long FLAGS = SHUTDOWN | BROKEN;
    private static final long UNITS = BROKEN - 1;

    /** The dummy: the item taken last, or a Sentinel; see the note. */
    private volatile Item head;
    /** The last item, or one before it (never behind 'head'). */
    private volatile Item tail;
    private volatile long ctl;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ended = lock.newCondition();
    private int waiters;
    /** The units held by threads of the pool's own that wait for its end (see the note). Guarded by lock. */
    private long ownWaits;

    WorkQueue() {
        Sentinel s = new Sentinel();
        head = s;
        tail = s;
    }

    /** Counts a call about to be offered; false if the queue is closed (shut down or broken). */
    boolean admit() {
        for (;;) {
            long c = ctl;
            if ((c & FLAGS) != 0L) {
                return false;
            }
            if (CTL.compareAndSet(this, c, c + 1)) {
                return true;
            }
        }
    }

    /**
     * Queues an admitted call. Returns false if the queue closed meanwhile and the call was still
     * there to take back: then it was not accepted and its unit is released. Returns true if it was
     * accepted: a worker will run it, or a drain will take it.
     */
    boolean offer(T item) {
        link(item);
        if ((ctl & FLAGS) != 0L && item.claim()) { // taken back: it stays linked, polls pass it over
            release();
            return false;
        }
        return true;
    }

    /**
     * Links an item at the end (Michael-Scott, with ConcurrentLinkedQueue's lazy 'tail': a link that
     * found 'tail' at the last item leaves it there, the next one walks one step and moves it two, so
     * a submit costs one CAS on a link and every second one a CAS on 'tail').
     */
    private void link(Item item) {
        Item t = tail;
        Item p = t;
        for (;;) {
            Item q = p.queueNext();
            if (q == null) {
                if (p.casQueueNext(null, item)) {
                    if (p != t) {
                        TAIL.compareAndSet(this, t, item); // fails only if someone moved it further
                    }
                    return;
                }
                // another item was linked here first: read p's link again
            } else if (p == q) {
                // p left the queue meanwhile ('head' passed it, and so did 'tail': see the note)
                p = t = tail;
            } else {
                p = (p != t && t != (t = tail)) ? t : q; // walk on, or jump to a 'tail' that moved
            }
        }
    }

    /** The next queued call, or null. Whoever takes one calls release() once it has ended. */
    @SuppressWarnings("unchecked")
    T poll() {
        for (;;) {
            Item h = head;
            Item t = tail;
            Item first = h.queueNext();
            if (h != head) {
                continue;
            }
            if (first == null) {
                if (h instanceof Sentinel) {
                    return null;
                }
                link(new Sentinel()); // let go of the item taken last (see the note), then take the sentinel
                continue;
            }
            if (h == t) {
                TAIL.compareAndSet(this, t, first);
                continue;
            }
            if (HEAD.compareAndSet(this, h, first)) {
                h.unlinkQueueNext();
                if (first.claim()) {
                    return (T) first;
                }
            }
        }
    }

    /** Whether nothing is queued: no unclaimed item behind 'head' (a hint for parking; only mayExit decides leaving). */
    boolean isEmpty() {
        restart:
        for (;;) {
            for (Item p = head, q; (q = p.queueNext()) != null; p = q) {
                if (q == p) {
                    continue restart; // p left the queue meanwhile
                }
                if (!q.claimed()) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Whether a worker that found nothing may leave: the queue was shut down and, looked at after
     * that, is empty. The caller then calls release() for itself.
     */
    boolean mayExit() {
        return (ctl & SHUTDOWN) != 0L && isEmpty();
    }

    /** Counts a worker about to start; the caller holds a unit, so the queue cannot end meanwhile. */
    void workerStarting() {
        CTL.getAndAdd(this, 1L);
    }

    /**
     * One unit ended: an admitted call ended or was taken back, or a worker left.
     *
     * @return whether this release terminated the queue (exactly one release, or shutdown, does)
     */
    boolean release() {
        return release(1L);
    }

    /**
     * {@code n} units ended at once (a worker's calls ended since it last released, see the note).
     *
     * @param n at least 1
     * @return whether this release terminated the queue (exactly one release, or shutdown, does)
     */
    boolean release(long n) {
        long c = (long) CTL.getAndAdd(this, -n) - n;
        if ((c & SHUTDOWN) != 0L) {
            signal();
            return (c & UNITS) == 0L;
        }
        return false;
    }

    /** Closes the queue for good (shutdown); returns true if this call did it. */
    boolean shutdown() {
        return (shutdownFrom() & SHUTDOWN) == 0L;
    }

    /**
     * Closes the queue for good and returns the state before: the caller did it if SHUTDOWN was not
     * set, and it terminated the queue at once if no unit was left either.
     */
    long shutdownFrom() {
        long c = (long) CTL.getAndBitwiseOr(this, SHUTDOWN);
        signal();
        return c;
    }

    /** Whether the state {@code c} returned by {@link #shutdownFrom()} means this shutdown terminated the queue. */
    static boolean terminatedBy(long c) {
        return (c & (SHUTDOWN | UNITS)) == 0L;
    }

    /** Whether the state {@code c} returned by {@link #shutdownFrom()} means this call shut it down. */
    static boolean shutDownBy(long c) {
        return (c & SHUTDOWN) == 0L;
    }

    /** Refuses new calls (the pool broke) without ending it: it still ends only after a shutdown. */
    void close() {
        CTL.getAndBitwiseOr(this, BROKEN);
    }

    boolean isShutdown() {
        return (ctl & SHUTDOWN) != 0L;
    }

    boolean isClosed() {
        return (ctl & FLAGS) != 0L;
    }

    /** Whether the queue was shut down and every unit has ended. */
    boolean isTerminated() {
        return (ctl & (SHUTDOWN | UNITS)) == SHUTDOWN;
    }

    /** Units not yet ended (admitted calls and live workers). For snapshots and tests. */
    long units() {
        return ctl & UNITS;
    }

    /**
     * Waits until the queue is shut down and no units are left but those of the threads that wait as
     * this one does: none from outside ({@code own} 0); a thread of the pool's own ({@code own} > 0: a
     * worker waiting inside a call holds two, itself and its call) counts between
     * {@link #beginOwnWait} and {@link #endOwnWait}, and waits for the units of the others only.
     *
     * @param nanos the limit; negative: none
     * @return whether the condition held in time
     */
    boolean awaitUnits(long own, long nanos) throws InterruptedException {
        return awaitUnits(own, nanos, () -> false);
    }

    /**
     * A thread holding {@code own} units begins to wait for the pool's end: waits of the others of its
     * kind no longer count them, and look again.
     */
    void beginOwnWait(long own) {
        lock.lock();
        try {
            ownWaits += own;
            if (waiters > 0) {
                ended.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The thread that began {@link #beginOwnWait} with {@code own} no longer waits. */
    void endOwnWait(long own) {
        lock.lock();
        try {
            ownWaits -= own;
        } finally {
            lock.unlock();
        }
    }

    /** The same, and returns false once {@code stop} says so (checked when woken: see wakeWaiters). */
    boolean awaitUnits(long own, long nanos, BooleanSupplier stop) throws InterruptedException {
        long deadline = nanos < 0L ? 0L : System.nanoTime() + nanos;
        lock.lock();
        try {
            waiters++;
            try {
                for (;;) {
                    long c = ctl;
                    if ((c & SHUTDOWN) != 0L && (c & UNITS) <= (own > 0L ? ownWaits : 0L)) {
                        return true;
                    }
                    if (stop.getAsBoolean()) {
                        return false;
                    }
                    if (nanos < 0L) {
                        ended.await();
                    } else {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0L) {
                            return false;
                        }
                        ended.awaitNanos(remaining);
                    }
                }
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the threads waiting in awaitUnits, so that they look at their stop condition again. */
    void wakeWaiters() {
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            if (waiters > 0) {
                ended.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    // VarHandle set-up
    private static final VarHandle CTL;
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle SENTINEL_NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CTL = l.findVarHandle(WorkQueue.class, "ctl", long.class);
            HEAD = l.findVarHandle(WorkQueue.class, "head", Item.class);
            TAIL = l.findVarHandle(WorkQueue.class, "tail", Item.class);
            SENTINEL_NEXT = l.findVarHandle(Sentinel.class, "next", Item.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
