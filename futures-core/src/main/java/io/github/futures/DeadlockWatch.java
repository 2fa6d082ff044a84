package io.github.futures;

import java.util.Collection;

/**
 * Notices the deadlock CPython users hit with {@code max_workers=1}: a call that waits for a future
 * of its own pool while every worker of that pool does the same, so nobody is left to run the
 * awaited calls. The pool then logs one warning per episode ({@link ThreadPool#enterBlocked}).
 *
 * <p>Implementation note: only a thread about to block consults this (the waits in {@link Future},
 * {@code Futures.wait} and {@code asCompleted} call it after their fast path failed), and it looks at
 * the current worker (a thread-local) only when the awaited future belongs to a thread pool, so the
 * normal path pays one type check at most. The count of blocked workers is the pool's; see there.
 */
final class DeadlockWatch {

    private DeadlockWatch() {
    }

    /**
     * The current thread is about to block on {@code f}: if it is a worker of the pool that runs
     * {@code f}, counts it as blocked there.
     *
     * @return the worker to pass to {@link #exit}, or null if none was counted
     */
    static ThreadPool.Worker enter(Future<?> f) {
        if (!(f instanceof ThreadTask<?> t)) {
            return null;
        }
        ThreadPool.Worker w = ThreadPool.CURRENT.get();
        if (w == null || w.pool() != t.pool) {
            return null;
        }
        w.pool().enterBlocked(w);
        return w;
    }

    /**
     * The current thread is about to block on several futures: counted as blocked in its own pool if
     * it waits for one of that pool's futures ({@code any}) or only for that pool's futures (not
     * {@code any}: another source might end the wait).
     *
     * @return the worker to pass to {@link #exit}, or null if none was counted
     */
    static ThreadPool.Worker enter(Collection<? extends Future<?>> pending, boolean any) {
        ThreadPool.Worker w = null;
        boolean own = false;
        for (Future<?> f : pending) {
            // Not f.done(): a subclass's override is user code, and what it threw would leave the
            // caller's waiters installed (asCompleted's next() asks here before it blocks).
            if (f == null || f.stateIsDone()) {
                continue;
            }
            boolean mine = false;
            if (f instanceof ThreadTask<?> t) {
                if (w == null) {
                    w = ThreadPool.CURRENT.get();
                    if (w == null) {
                        return null; // not a pool thread: nothing to watch
                    }
                }
                mine = w.pool() == t.pool;
            }
            if (mine && any) {
                own = true;
                break;
            }
            if (!mine && !any) {
                return null;
            }
            own |= mine;
        }
        if (!own) {
            return null;
        }
        w.pool().enterBlocked(w);
        return w;
    }

    /** The wait that {@link #enter} counted has ended. */
    static void exit(ThreadPool.Worker w) {
        if (w != null) {
            w.pool().exitBlocked(w);
        }
    }
}
