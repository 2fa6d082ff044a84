package io.github.futures;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * How a submit gets its call into a pool without waiting for the pool's lock, and how that races
 * with the pool closing (shutdown or breakage): flat combining over a lock-free queue.
 *
 * <pre>
 *  submit ──offer──▶ incoming ──(tryLock holder, or the holder on release)──▶ moveLocked ──▶ pool queue
 *                       │
 *                       └── closed? the submitter takes its own call back ──▶ refused
 * </pre>
 *
 * <p>Implementation note. A submitter offers its call to {@link #incoming} and then reads
 * {@link #closed}. If it reads {@code false}, its offer came before the close (both are
 * sequentially consistent), so the close's final move, which runs after the flag is written, finds
 * it: the call is accepted. If it reads {@code true}, it waits for the lock (the close's critical
 * section ends; only a submit that races a close ever waits) and tries to take its own call back;
 * exactly one of that removal and the final move succeeds (both remove the node atomically), so the
 * call is either refused (the submitter got it back) or accepted (the final move has it). Movers hold the lock, and once
 * the flag is set (under the lock, with the final move in the same critical section) nobody but the
 * submitters touches {@link #incoming}. So: every call whose submit returned {@code true} reaches
 * the pool's queue, and none after the close. A submitter never waits for the lock: it takes it
 * with {@code tryLock} or leaves the move to the holder, which re-checks {@link #incoming} after
 * every release ({@link #unlock()}). Model-checked by {@code AdmissionLincheckTest}.
 *
 * <p>A pool with {@code maxPending} bounds its pending calls here too: a submitter takes a slot of
 * the {@link PendingLimit} (one compare-and-set, no lock) before it offers, and is rejected at once
 * when none is left; the call's future gives the slot back when it starts or ends.
 *
 * @param <T> the call type
 * @param <W> what the combiner does after the lock is released
 */
final class Admission<T, W> {

    /** The pool side: what a lock holder does with the calls (move and dispatch), and after. */
    interface Combiner<W> {
        /** Under the lock: move incoming calls on ({@link #moveLocked}) and decide what to do. */
        W combineLocked();

        /** After the lock was released: do it (write frames, say). */
        void afterUnlock(W work);
    }

    private final ReentrantLock lock;
    private final Combiner<W> combiner;
    /** Calls offered and not yet moved on. */
    private final ConcurrentLinkedQueue<T> incoming = new ConcurrentLinkedQueue<>();
    /** Set once, under the lock, together with the final move. */
    private volatile boolean closed;
    /**
     * The bound on pending calls ({@code maxPending}), or null for none. Set before the pool takes
     * its first call (published with the executor), never changed after.
     */
    private volatile PendingLimit pendingLimit;

    Admission(ReentrantLock lock, Combiner<W> combiner) {
        this.lock = lock;
        this.combiner = combiner;
    }

    /** Bounds the calls pending in the pool (set once, before the first call). */
    void limitPending(PendingLimit limit) {
        this.pendingLimit = limit;
    }

    /**
     * Takes a pending slot for a call about to be offered, which its future gives back when it leaves
     * PENDING (or {@link TrackedFuture#releasePendingSlot()} if the offer is refused). Never blocks.
     *
     * @param future the call's new future
     * @throws java.util.concurrent.RejectedExecutionException if {@code maxPending} calls are pending
     */
    void acquirePending(TrackedFuture<?> future) {
        PendingLimit limit = pendingLimit;
        if (limit != null) {
            limit.acquireFor(future);
        }
    }

    /** @return the bound on pending calls, or null */
    PendingLimit pendingLimit() {
        return pendingLimit;
    }

    /**
     * Offers a call.
     *
     * @return {@code true} if accepted (it reaches the pool's queue), {@code false} if the pool
     *     closed first (the call was taken back: nobody has it)
     */
    boolean offer(T item) {
        incoming.offer(item);
        if (closed) {
            // Wait for the close's critical section (short, no I/O) to end, then take the call back
            // if the final move did not take it: a refusal is then final, and a later submit of this
            // thread is refused too (linearizable; found by AdmissionLincheckTest).
            lock.lock();
            try {
                if (incoming.remove(item)) {
                    return false;
                }
            } finally {
                lock.unlock();
            }
        }
        combine();
        return true;
    }

    /**
     * Moves the incoming calls on, if the lock is free; if it is not, its holder does it on
     * release ({@link #unlock()}). Stops once closed: the final move was made.
     */
    void combine() {
        while (!incoming.isEmpty() && !closed && lock.tryLock()) {
            W work;
            try {
                work = combiner.combineLocked();
            } finally {
                lock.unlock();
            }
            combiner.afterUnlock(work);
        }
    }

    /** Releases the lock, then moves on what submitters offered while it was held. */
    void unlock() {
        lock.unlock();
        if (!incoming.isEmpty() && !lock.isHeldByCurrentThread()) {
            combine();
        }
    }

    /** Under the lock: moves the incoming calls into {@code into}, oldest first; nothing once closed. */
    void moveLocked(Consumer<? super T> into) {
        if (!closed) {
            drain(into);
        }
    }

    /**
     * Under the lock: closes, then moves every call accepted so far into {@code into} (the final
     * move). From now on submitters take their own calls back.
     *
     * @return {@code false} if it was closed already
     */
    boolean closeLocked(Consumer<? super T> into) {
        if (closed) {
            return false;
        }
        closed = true; // first the flag, then the final move: see the class comment
        drain(into);
        return true;
    }

    /**
     * Under the lock: accepts calls again after a close that did not end the pool (a broken pool
     * being rebuilt). A submitter refused by the close has taken its call back already, under the lock.
     */
    void reopenLocked() {
        closed = false;
    }

    /** @return whether {@link #closeLocked} was called */
    boolean isClosed() {
        return closed;
    }

    private void drain(Consumer<? super T> into) {
        for (T item; (item = incoming.poll()) != null; ) {
            into.accept(item);
        }
    }
}
