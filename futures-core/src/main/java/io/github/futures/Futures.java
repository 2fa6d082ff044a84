package io.github.futures;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The module functions of Python's {@code concurrent.futures}: {@link #wait wait} and
 * {@link #asCompleted asCompleted}.
 *
 * <pre>{@code
 * List<Future<Integer>> fs = List.of(executor.submit(a), executor.submit(b));
 * for (Future<Integer> f : Futures.asCompleted(fs)) {
 *     System.out.println(f.result());          // in completion order
 * }
 * DoneAndNotDone<Future<Integer>> r = Futures.wait(fs, Duration.ofSeconds(1), ReturnWhen.FIRST_COMPLETED);
 * }</pre>
 *
 * <p>Neither function polls: a waiting thread is parked until a future it waits for is done, and
 * the cost is linear in the number of futures. The futures may come from different executors.
 *
 * @since 0.1.0
 */
public final class Futures {

    /*
     * Implementation note. Both functions install one Waiter on every future that is not done yet
     * (Future.addWaiter, a lock-free push); a future tells its waiters, in its completing thread and
     * without any lock, right after its final state is published. A future that completes between the
     * first look and the install is caught because addWaiter refuses a done future, and the caller
     * then counts it itself. wait() removes its waiters when it returns (so repeated waits on
     * long-lived futures do not pile up nodes); asCompleted removes them when it ends or times out,
     * or, when the loop was left early, once the Cleaner finds its iterator unreachable. Removing a
     * waiter is O(1) amortized (see Future).
     */

    private Futures() {
    }

    /**
     * Waits without limit for all futures to be done (finished or cancelled).
     *
     * @param fs the futures; duplicates count once
     * @param <F> the future type
     * @return the done and not-done futures
     * @throws NullPointerException if {@code fs} or one of its elements is {@code null}
     */
    public static <F extends Future<?>> DoneAndNotDone<F> wait(Collection<F> fs) {
        return wait(fs, null, ReturnWhen.ALL_COMPLETED);
    }

    /**
     * Waits at most {@code timeout} for all futures to be done; returns when they are or when the
     * timeout passes (without an exception).
     *
     * @param fs the futures; duplicates count once
     * @param timeout the limit, {@code null} for none
     * @param <F> the future type
     * @return the done and not-done futures
     */
    public static <F extends Future<?>> DoneAndNotDone<F> wait(Collection<F> fs, Duration timeout) {
        return wait(fs, timeout, ReturnWhen.ALL_COMPLETED);
    }

    /**
     * Waits until the {@code returnWhen} condition holds or the timeout passes, and returns which
     * futures are done. No exception is thrown on timeout.
     *
     * @param fs the futures; duplicates count once
     * @param timeout the limit, {@code null} for none
     * @param returnWhen when to return
     * @param <F> the future type
     * @return the done and not-done futures, each set in the order of {@code fs}
     * @throws NullPointerException if {@code fs}, an element of it, or {@code returnWhen} is {@code null}
     */
    public static <F extends Future<?>> DoneAndNotDone<F> wait(Collection<F> fs, Duration timeout,
                                                               ReturnWhen returnWhen) {
        Objects.requireNonNull(fs, "fs");
        Objects.requireNonNull(returnWhen, "returnWhen");
        long nanos = Timeouts.toNanosOrForever(timeout);
        Collection<F> distinct = distinct(fs);

        List<F> pending = new ArrayList<>();
        boolean anyException = false;
        for (F f : distinct) {
            if (f.done()) {
                anyException |= f.finishedWithException();
            } else {
                pending.add(f);
            }
        }
        boolean satisfied = switch (returnWhen) {
            // No futures at all: nothing can complete, so return at once (as CPython does).
            case FIRST_COMPLETED -> pending.size() < distinct.size() || pending.isEmpty();
            case FIRST_EXCEPTION -> anyException || pending.isEmpty();
            case ALL_COMPLETED -> pending.isEmpty();
        };
        if (!satisfied && nanos != 0L) {
            ConditionWaiter waiter = new ConditionWaiter(returnWhen, pending.size());
            Future.Node[] nodes = new Future.Node[pending.size()];
            try {
                for (int i = 0; i < nodes.length; i++) {
                    F f = pending.get(i);
                    nodes[i] = f.addWaiter(waiter);
                    if (nodes[i] == null) {
                        waiter.onDone(f); // done since the first look: count it here
                    }
                }
                ThreadPool.Worker blockedIn = DeadlockWatch.enter(pending, returnWhen != ReturnWhen.FIRST_COMPLETED);
                try {
                    waiter.await(nanos);
                } finally {
                    DeadlockWatch.exit(blockedIn);
                }
            } finally {
                for (int i = 0; i < nodes.length; i++) {
                    if (nodes[i] != null) {
                        pending.get(i).remove(nodes[i]);
                    }
                }
            }
        }
        List<F> doneList = new ArrayList<>();
        List<F> notDoneList = new ArrayList<>();
        for (F f : distinct) {
            (f.done() ? doneList : notDoneList).add(f);
        }
        return new DoneAndNotDone<>(new OrderedFutureSet<>(doneList), new OrderedFutureSet<>(notDoneList));
    }

    /**
     * Returns an iterable over the futures that yields each distinct one once, as it completes
     * (finished or cancelled); those already done come first. Waits without limit.
     *
     * @param fs the futures; duplicates count once
     * @param <F> the future type
     * @return a single-pass iterable
     */
    public static <F extends Future<?>> Iterable<F> asCompleted(Collection<F> fs) {
        return asCompleted(fs, null);
    }

    /**
     * Returns an iterable over the futures that yields each distinct one once, as it completes;
     * those already done come first. The timeout runs from this call: when it has passed and futures
     * are still pending, the iterator's {@code next()} throws {@link TimeoutError} with a message such
     * as {@code "2 (of 4) futures unfinished"}. The iterable can be iterated once.
     *
     * <pre>{@code
     * for (Future<String> f : Futures.asCompleted(futures, Duration.ofSeconds(30))) {
     *     System.out.println(f.result());
     * }
     * }</pre>
     *
     * @param fs the futures; duplicates count once
     * @param timeout the limit from now, {@code null} for none
     * @param <F> the future type
     * @return a single-pass iterable
     * @throws NullPointerException if {@code fs} or one of its elements is {@code null}
     */
    public static <F extends Future<?>> Iterable<F> asCompleted(Collection<F> fs, Duration timeout) {
        Objects.requireNonNull(fs, "fs");
        long nanos = Timeouts.toNanosOrForever(timeout);
        long deadline = nanos < 0L ? 0L : System.nanoTime() + nanos;
        AsCompletedIterator<F> it = new AsCompletedIterator<>(distinct(fs), nanos >= 0L, deadline);
        AtomicBoolean used = new AtomicBoolean();
        return () -> {
            if (!used.compareAndSet(false, true)) {
                throw new IllegalStateException("asCompleted(...) can be iterated only once");
            }
            return it;
        };
    }

    /**
     * The futures without duplicates, in their order: a Set as given, and any other collection as
     * given too when it holds no future twice (the usual case); only one with duplicates is copied.
     * Duplicates are found with an identity hash set of its own (futures are equal only to
     * themselves): one array of references, open addressing, no entry objects. It is sized from
     * {@code size()} but grows when the iterator yields more (a concurrent queue that producers add to
     * while it is read, or a collection whose size is wrong), so a full table can never make a probe
     * loop for ever; such a collection is copied as read, so that every later pass sees the same futures.
     */
    private static <F extends Future<?>> Collection<F> distinct(Collection<F> fs) {
        if (fs instanceof Set) {
            for (F f : fs) {
                Objects.requireNonNull(f, "fs contains null");
            }
            return fs;
        }
        int n = fs.size();
        Object[] table = new Object[Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1];
        int mask = table.length - 1;
        int stored = 0;
        List<F> copy = null;
        int i = 0;
        for (F f : fs) {
            Objects.requireNonNull(f, "fs contains null");
            if (stored >= table.length >> 1) { // more than size() said: keep the table at most half full
                table = grown(table);
                mask = table.length - 1;
            }
            int slot = slot(f, mask);
            boolean duplicate = false;
            for (Object o; (o = table[slot]) != null; slot = (slot + 1) & mask) {
                if (o == f) {
                    duplicate = true;
                    break;
                }
            }
            if (copy == null && (duplicate || i >= n)) {
                copy = new ArrayList<>(Math.max(n, i + 1));
                Iterator<F> it = fs.iterator();
                for (int k = 0; k < i; k++) {
                    copy.add(it.next());
                }
            }
            if (!duplicate) {
                table[slot] = f;
                stored++;
                if (copy != null) {
                    copy.add(f);
                }
            }
            i++;
        }
        return copy != null ? copy : fs;
    }

    private static int slot(Object f, int mask) {
        return (System.identityHashCode(f) * 0x9E3779B9) >>> 1 & mask;
    }

    /** The identity table of {@link #distinct}, twice as large, with the same futures. */
    private static Object[] grown(Object[] table) {
        Object[] bigger = new Object[table.length << 1];
        int mask = bigger.length - 1;
        for (Object o : table) {
            if (o != null) {
                int slot = slot(o, mask);
                while (bigger[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                bigger[slot] = o;
            }
        }
        return bigger;
    }

    /**
     * The read-only sets that wait() returns: the futures in the order given, iterated from a list;
     * membership is answered by an identity index built on the first contains() (futures are equal
     * only to themselves), so a caller that only iterates pays for no hash table.
     */
    private static final class OrderedFutureSet<F> extends java.util.AbstractSet<F> {
        private final List<F> elements;
        /** Built on first use; volatile so that a set shared between threads publishes it safely. */
        private volatile java.util.Set<F> index;

        OrderedFutureSet(List<F> elements) {
            this.elements = elements;
        }

        @Override
        public Iterator<F> iterator() {
            return Collections.unmodifiableList(elements).iterator();
        }

        @Override
        public int size() {
            return elements.size();
        }

        @Override
        public boolean contains(Object o) {
            java.util.Set<F> i = index;
            if (i == null) {
                i = Collections.newSetFromMap(new java.util.IdentityHashMap<>(elements.size()));
                i.addAll(elements);
                index = i;
            }
            return i.contains(o);
        }
    }

    // ------------------------------------------------------------------ waiters

    /** Counts down to the return condition of wait(); one latch, released once. */
    private static final class ConditionWaiter extends Future.Waiter {
        private final ReturnWhen returnWhen;
        private final AtomicInteger pending;
        private final CountDownLatch latch = new CountDownLatch(1);

        ConditionWaiter(ReturnWhen returnWhen, int pending) {
            this.returnWhen = returnWhen;
            this.pending = new AtomicInteger(pending);
        }

        @Override
        void onDone(Future<?> future) {
            if (returnWhen == ReturnWhen.FIRST_COMPLETED
                    || (returnWhen == ReturnWhen.FIRST_EXCEPTION && future.finishedWithException())
                    || pending.decrementAndGet() == 0) {
                latch.countDown();
            }
        }

        void await(long nanos) {
            try {
                if (nanos < 0L) {
                    latch.await();
                } else {
                    latch.await(nanos, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException("interrupted while waiting for futures", e);
            }
        }
    }

    /**
     * Queues futures as they complete; the iterator takes from the queue. What the futures hold (their
     * waiter) is the {@link Inbox}, never the iterator: an iteration abandoned before its end (a
     * {@code break} out of the loop) leaves the iterator unreachable, and the Cleaner then removes the
     * inbox from every future still pending. An iteration that ends or times out removes it itself.
     */
    private static final class AsCompletedIterator<F extends Future<?>> implements Iterator<F> {
        private final Inbox inbox;
        private final Cleaner.Cleanable cleanable;
        private final int total;
        private final boolean timed;
        private final long deadline;
        private int yielded;

        AsCompletedIterator(Collection<F> fs, boolean timed, long deadline) {
            this.timed = timed;
            this.deadline = deadline;
            this.inbox = new Inbox(fs);
            this.total = inbox.total; // the futures read, not size(): a collection's size may be wrong
            this.cleanable = inbox.installed == 0 ? null : FuturesCleaner.CLEANER.register(this, inbox);
        }

        @Override
        public boolean hasNext() {
            return yielded < total;
        }

        @Override
        @SuppressWarnings("unchecked")
        public F next() {
            if (yielded >= total) {
                throw new NoSuchElementException();
            }
            LinkedBlockingQueue<Future<?>> completed = inbox.completed;
            Future<?> f = completed.poll();
            if (f == null) {
                ThreadPool.Worker blockedIn = DeadlockWatch.enter(java.util.Arrays.asList(inbox.futures), false);
                try {
                    if (!timed) {
                        f = completed.take();
                    } else {
                        long remaining = deadline - System.nanoTime();
                        if (remaining > 0L) {
                            f = completed.poll(remaining, TimeUnit.NANOSECONDS);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException("interrupted while waiting for futures", e);
                } finally {
                    DeadlockWatch.exit(blockedIn);
                }
                if (f == null) {
                    removeWaiters();
                    throw new TimeoutError((total - yielded) + " (of " + total + ") futures unfinished");
                }
            }
            if (++yielded == total) {
                removeWaiters();
            }
            return (F) f;
        }

        private void removeWaiters() {
            if (cleanable != null) {
                cleanable.clean(); // runs the inbox's removal once, here or in the Cleaner, never both
            }
        }
    }

    /**
     * The waiter of one asCompleted iteration, and its Cleaner action: it removes itself from the
     * futures it was installed on. 'futures' and 'nodes' are written before the Cleaner registration
     * that publishes them; run() is called at most once (Cleanable.clean).
     */
    private static final class Inbox extends Future.Waiter implements Runnable {
        final LinkedBlockingQueue<Future<?>> completed = new LinkedBlockingQueue<>();
        final Future<?>[] futures;
        final Future.Node[] nodes;
        final int installed;
        /** How many futures {@code fs} yielded (done or not). */
        final int total;

        Inbox(Collection<? extends Future<?>> fs) {
            List<Future<?>> pending = new ArrayList<>();
            int read = 0;
            for (Future<?> f : fs) {
                read++;
                if (f.done()) {
                    completed.add(f);
                } else {
                    pending.add(f);
                }
            }
            total = read;
            futures = new Future<?>[pending.size()];
            nodes = new Future.Node[pending.size()];
            int n = 0;
            for (Future<?> f : pending) {
                Future.Node node = f.addWaiter(this);
                if (node == null) {
                    completed.add(f);
                } else {
                    futures[n] = f;
                    nodes[n++] = node;
                }
            }
            installed = n;
        }

        @Override
        void onDone(Future<?> future) {
            completed.add(future);
        }

        /** Removes this waiter from every future it is still installed on. */
        @Override
        public void run() {
            for (int i = 0; i < installed; i++) {
                futures[i].remove(nodes[i]);
                futures[i] = null;
                nodes[i] = null;
            }
        }
    }
}
