package io.github.futures;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Lets pools finish accepted work when the JVM exits, as CPython's threading._register_atexit
 * (thread pools) and _python_exit (process pools) do: every pool stops taking calls, then the
 * hook waits for each pool that still has work. Not for a pool one of whose threads is itself
 * exiting the JVM (a call, or a process pool's done callback, that called System.exit: it waits
 * for this hook), nor for a thread pool whose owner gave up on it (interruptWorkers).
 *
 * <p>Implementation note: one weak registry, guarded by the class lock, maps each pool (a thread
 * pool's engine, a process pool) to how the hook sees it as a {@link Participant}; the hook holds
 * no pool strongly, and no pool calls back into it.
 */
final class ExitHook {

    /** What the hook needs of a pool: stop it taking calls, its threads, and a wait for its end. */
    interface Participant {
        /** Stops taking calls and lets the workers finish what was accepted. */
        void beginJvmExit();

        /** Waits until the accepted calls ended (or the pool's owner gave up on it). */
        void awaitJvmExit() throws InterruptedException;

        /** The pool's threads: a pool one of whose threads is exiting the JVM is not waited for. */
        List<Thread> poolThreads();
    }

    /** Set when the hook starts: pools refuse submits with a message that says so. */
    static volatile boolean exiting;
    /** Pool to its view as a participant; the views hold nothing, so the keys stay weak. */
    private static final Map<Object, View> POOLS = new WeakHashMap<>();
    private static boolean installed;

    private ExitHook() {
    }

    static synchronized void register(ThreadPool pool) {
        POOLS.put(pool, View.THREAD_POOL);
        install();
    }

    static synchronized void register(ProcessPoolExecutor pool) {
        POOLS.put(pool, View.PROCESS_POOL);
        install();
    }

    /**
     * How the hook sees a pool: constants, not lambdas, since a pool registers from its constructor,
     * where a JVM's first lambda would cost the caller the whole invokedynamic bootstrap (tens of ms).
     */
    private enum View {
        THREAD_POOL, PROCESS_POOL;

        Participant of(Object pool) {
            return this == THREAD_POOL ? (Participant) pool : processPool(pool);
        }
    }

    private static Participant processPool(Object pool) {
        ProcessPoolExecutor p = (ProcessPoolExecutor) pool;
        return new Participant() {
            @Override
            public void beginJvmExit() {
                p.beginJvmExit();
            }

            @Override
            public void awaitJvmExit() {
                p.awaitJvmExit();
            }

            @Override
            public List<Thread> poolThreads() {
                return p.poolThreads();
            }
        };
    }

    private static void install() {
        if (!installed) {
            installed = true;
            Runtime.getRuntime().addShutdownHook(new Thread(new Hook(), "futures-exit"));
        }
    }

    /** The shutdown hook's body (a class, for the reason given at {@link View}). */
    private static final class Hook implements Runnable {
        @Override
        public void run() {
            ExitHook.run();
        }
    }

    private static void run() {
        exiting = true;
        List<Participant> pools = new ArrayList<>();
        synchronized (ExitHook.class) {
            for (Map.Entry<Object, View> e : POOLS.entrySet()) {
                Object pool = e.getKey();
                if (pool != null) {
                    pools.add(e.getValue().of(pool));
                }
            }
        }
        for (Participant pool : pools) {
            pool.beginJvmExit();
        }
        for (Participant pool : pools) {
            if (anyCallsExit(pool.poolThreads())) {
                continue;
            }
            try {
                pool.awaitJvmExit();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static boolean anyCallsExit(List<Thread> threads) {
        for (Thread t : threads) {
            if (callsExit(t)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the thread is inside System.exit / Runtime.exit (then it waits for us: no join). */
    private static boolean callsExit(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("java.lang.Shutdown")
                    || (e.getClassName().equals("java.lang.Runtime") && e.getMethodName().equals("exit"))) {
                return true;
            }
        }
        return false;
    }
}
