package io.github.futures;

import io.github.futures.spi.Terminable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * Lets pools finish accepted work when the JVM exits, as CPython's threading._register_atexit
 * (thread pools) and _python_exit (process pools) do: every pool stops taking calls, then the
 * hook waits for each pool that still has work. Not for a pool one of whose threads is itself
 * exiting the JVM (a call, or a process pool's done callback, that called System.exit: it waits
 * for this hook), nor for a thread pool whose owner gave up on it (interruptWorkers).
 *
 * <p>Implementation note: the hook sees a pool only as a {@link Terminable}, through its
 * {@link Terminable#beginJvmExit()} and {@link Terminable#awaitJvmExit()}. One weak registry,
 * guarded by the class lock, maps each pool (a thread pool's engine, which outlives a dropped
 * executor while it has work; a process pool) to a function that makes that view when the hook
 * runs; the functions hold nothing, so the hook holds no pool strongly, and no pool calls back
 * into it.
 */
final class ExitHook {

    /** Set when the hook starts: pools refuse submits with a message that says so. */
    static volatile boolean exiting;
    /** Pool to the function that makes its view; the functions hold nothing, so the keys stay weak. */
    private static final Map<Object, Function<Object, ? extends Terminable>> POOLS = new WeakHashMap<>();
    private static boolean installed;

    private ExitHook() {
    }

    /**
     * Has the hook wait for {@code pool} at JVM exit while the pool is reachable.
     *
     * @param pool what is held weakly
     * @param view makes, from {@code pool}, the {@link Terminable} the hook uses; must hold nothing
     */
    static synchronized void register(Object pool, Function<Object, ? extends Terminable> view) {
        POOLS.put(pool, view);
        install();
    }

    private static void install() {
        if (!installed) {
            installed = true;
            Runtime.getRuntime().addShutdownHook(new Thread(new Hook(), "futures-exit"));
        }
    }

    /**
     * The view of a pool that is itself {@link Terminable}. Views and the hook's body are classes, not
     * lambdas: a pool registers from its constructor, where a JVM's first lambda would cost the caller
     * the whole invokedynamic bootstrap (tens of milliseconds on a cold JVM).
     */
    static final Function<Object, Terminable> AS_TERMINABLE = new Function<>() {
        @Override
        public Terminable apply(Object pool) {
            return (Terminable) pool;
        }
    };

    /** The shutdown hook's body (a class, for the reason given at {@link #AS_TERMINABLE}). */
    private static final class Hook implements Runnable {
        @Override
        public void run() {
            ExitHook.run();
        }
    }

    private static void run() {
        exiting = true;
        List<Terminable> pools = new ArrayList<>();
        synchronized (ExitHook.class) {
            POOLS.forEach((pool, view) -> pools.add(view.apply(pool)));
        }
        for (Terminable pool : pools) {
            pool.beginJvmExit();
        }
        for (Terminable pool : pools) {
            try {
                pool.awaitJvmExit();
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
