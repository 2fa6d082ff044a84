package io.github.futures;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lets pools finish accepted work when the JVM exits, as CPython's threading._register_atexit
 * (thread pools) and _python_exit (process pools) do: every pool stops taking calls, then the
 * hook waits for each pool that still has work. Not for a pool one of whose threads is itself
 * exiting the JVM (a call, or a process pool's done callback, that called System.exit: it waits
 * for this hook), nor for a thread pool whose owner gave up on it (interruptWorkers).
 */
final class ExitHook {
    /** Set when the hook starts: pools refuse submits with a message that says so. */
    static volatile boolean exiting;
    private static final Map<ThreadPoolExecutor, Boolean> POOLS = new java.util.WeakHashMap<>();
    private static final Map<ProcessPoolExecutor, Boolean> PROCESS_POOLS = new java.util.WeakHashMap<>();
    private static boolean installed;

    private ExitHook() {
    }

    static synchronized void register(ThreadPoolExecutor pool) {
        POOLS.put(pool, Boolean.TRUE);
        install();
    }

    static synchronized void register(ProcessPoolExecutor pool) {
        PROCESS_POOLS.put(pool, Boolean.TRUE);
        install();
    }

    private static void install() {
        if (!installed) {
            installed = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ExitHook::run, "futures-exit"));
        }
    }

    private static void run() {
        exiting = true;
        List<ThreadPoolExecutor> pools;
        List<ProcessPoolExecutor> processPools;
        synchronized (ExitHook.class) {
            pools = new ArrayList<>(POOLS.keySet());
            processPools = new ArrayList<>(PROCESS_POOLS.keySet());
        }
        for (ThreadPoolExecutor pool : pools) {
            pool.beginJvmExit();
        }
        for (ProcessPoolExecutor pool : processPools) {
            pool.beginJvmExit();
        }
        for (ThreadPoolExecutor pool : pools) {
            if (!pool.hasLiveWorkers() || anyCallsExit(pool.poolThreads())) {
                continue;
            }
            try {
                pool.awaitJvmExit();
            } catch (InterruptedException e) {
                return;
            }
        }
        for (ProcessPoolExecutor pool : processPools) {
            if (!anyCallsExit(pool.poolThreads())) {
                pool.awaitJvmExit();
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
