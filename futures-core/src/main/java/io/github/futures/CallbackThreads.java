package io.github.futures;

import io.github.futures.spi.HandOffThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a process pool's futures run their done callbacks when a reader thread completes them: off
 * the thread that reads the worker's results, so that a callback that waits (for a follow-up call it
 * submitted to the same pool, on a {@code CompletableFuture} stage, on anything) never holds up the
 * results it waits for. CPython runs them in its one result-handling thread, where such a wait hangs
 * the pool; here the wait only occupies the callback's own thread.
 *
 * <p>Implementation note: {@link HandOffThreads}, a JDK executor that grows before it queues: an idle
 * callback thread takes the hand-off if there is one, else a new daemon thread starts, up to
 * {@link #MAX_THREADS}; with that many running callbacks, the callbacks queue for the next thread to
 * finish. Idle threads end after {@link #KEEP_ALIVE}. So a reader never runs a callback itself, however
 * many callbacks block; after {@link #shutdown} (the pool has terminated, and no reader is left) a
 * hand-off runs in the calling thread. Each hand-off is counted in {@link #running} before it is
 * made, without the pool's lock, and the pool does not terminate while that count is above 0
 * ({@code shutdown(wait=true)} returns after them, as CPython's returns after its result thread ran
 * them); the thread running them holds its count as its own ({@link ProcessPool#settlingHere()}), so
 * a callback's own wait for the pool's end does not wait for itself. After a shutdown, each hand-off
 * that ends wakes the pool's waiters ({@link ProcessPool#callbacksEnded()}): the last one's end may
 * terminate the pool, and an earlier one's may be all that callbacks waiting for its end wait for.
 */
final class CallbackThreads implements java.util.concurrent.Executor {

    /** At most this many callback threads per pool. */
    static final int MAX_THREADS = 64;
    /** An idle callback thread ends after this long. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(10);

    /** A callback thread: daemon, and knows its pool (so that the pool can tell its own threads). */
    static final class CallbackThread extends Thread {
        final ProcessPool owner;

        CallbackThread(Runnable r, String name, ProcessPool owner) {
            super(r, name);
            this.owner = owner;
            setDaemon(true);
        }
    }

    private final ProcessPool pool;
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    /** Hand-offs whose callbacks have not all returned yet. */
    private final AtomicInteger running = new AtomicInteger();
    /**
     * The live callback threads, for the exit hook ({@link ProcessPool#threads()}); made with the first
     * executor (most pools never have a callback, and a cold pool's constructor loads nothing for them).
     */
    private volatile Set<Thread> live;
    /** Made at the first hand-off: most pools never have a callback. Guarded by this. */
    private java.util.concurrent.ThreadPoolExecutor threads;

    CallbackThreads(ProcessPool pool, String poolName) {
        this.pool = pool;
        this.prefix = poolName + "-callbacks-";
    }

    /**
     * Runs {@code callbacks} on a callback thread, or here when none can take them.
     *
     * @param callbacks the done callbacks of one future, in order
     */
    @Override
    public void execute(Runnable callbacks) {
        running.incrementAndGet();
        Settle task = new Settle(callbacks);
        try {
            executor().execute(task);
        } catch (OutOfMemoryError noThread) {
            // No thread could start (the JVM is out of threads or memory), none was busy: run them here.
            task.run();
        }
    }

    private synchronized java.util.concurrent.ThreadPoolExecutor executor() {
        java.util.concurrent.ThreadPoolExecutor e = threads;
        if (e == null || e.isShutdown()) {
            if (live == null) {
                live = ConcurrentHashMap.newKeySet();
            }
            e = HandOffThreads.create(MAX_THREADS, KEEP_ALIVE, new Factory());
            threads = e;
        }
        return e;
    }

    /** Idle callback threads end now; running ones finish their callbacks. Later hand-offs start new ones. */
    synchronized void shutdown() {
        if (threads != null) {
            threads.shutdown();
        }
    }

    /** @return how many hand-offs still have callbacks to run (0 when all returned) */
    int running() {
        return running.get();
    }

    /** @return the live callback threads */
    List<Thread> threads() {
        Set<Thread> l = live;
        return l == null ? new ArrayList<>() : new ArrayList<>(l);
    }

    /** Runs one future's callbacks, counted in {@link #running}. */
    private final class Settle implements Runnable {
        private final Runnable callbacks;

        Settle(Runnable callbacks) {
            this.callbacks = callbacks;
        }

        @Override
        public void run() {
            int[] here = pool.settlingHere();
            try {
                callbacks.run(); // Future's callback runner: logs and ignores what each callback throws
            } finally {
                pool.leftHere(here);
                running.decrementAndGet();
                if (pool.isShutdown()) {
                    pool.callbacksEnded();
                }
            }
        }
    }

    private final class Factory implements ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            return new CallbackThread(new Tracked(r, live), prefix + count.incrementAndGet(), pool);
        }
    }

    /** Keeps {@link #live} up to date: a thread is in it while it runs. */
    private static final class Tracked implements Runnable {
        private final Runnable body;
        private final Set<Thread> live;

        Tracked(Runnable body, Set<Thread> live) {
            this.body = body;
            this.live = live;
        }

        @Override
        public void run() {
            Thread me = Thread.currentThread();
            live.add(me);
            try {
                body.run();
            } finally {
                live.remove(me);
            }
        }
    }
}
