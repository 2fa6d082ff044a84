package io.github.futures.hazelcast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * What happens to cluster executors that nothing shut down when the JVM exits (SIGTERM, Ctrl-C,
 * {@code System.exit}, the end of {@code main}): as CPython's {@code _python_exit}, the calls they
 * accepted are finished first, then an owned member leaves the cluster. One JVM shutdown hook for
 * every executor, registered with the first.
 *
 * <p>Each executor goes through the steps of {@link io.github.futures.spi.Terminable}:
 * {@code shutdown(false, false)} for all of them first (so they drain together), then for each
 * {@code awaitTermination(drainTimeout)}, and when that is not enough {@code shutdown(false, true)}
 * and {@code abort(1 s)}. A framework that closes the executor itself (Spring's context, which
 * closes from its own shutdown hook) goes through the same steps; both orders are harmless.
 *
 * <p>Implementation note: executors that own their member are held strongly (the member lives on
 * whether or not the executor is reachable, and only the executor stops it), the others weakly (a
 * dropped executor with nothing running needs no hook). Both sets are guarded by {@code LOCK}; an
 * executor leaves them when it has terminated.
 */
final class ClusterExitHook {

    private static final Duration ABORT_GRACE = Duration.ofSeconds(1);

    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static final Set<ClusterExecutor> OWNERS = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Guarded by LOCK. ClusterExecutor keeps Object's identity equality, as a WeakHashMap key must. */
    private static final Map<ClusterExecutor, Boolean> OTHERS = new WeakHashMap<>();
    /** Guarded by LOCK. */
    private static boolean installed;

    private ClusterExitHook() {
    }

    static void register(ClusterExecutor executor, boolean ownsMember) {
        synchronized (LOCK) {
            if (!installed) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(ClusterExitHook::run, "futures-cluster-exit"));
                } catch (IllegalStateException exiting) {
                    return; // the JVM is exiting already: nothing can be finished through a hook now
                }
                installed = true;
            }
            if (ownsMember) {
                OWNERS.add(executor);
            } else {
                OTHERS.put(executor, Boolean.TRUE);
            }
        }
    }

    static void deregister(ClusterExecutor executor) {
        synchronized (LOCK) {
            OWNERS.remove(executor);
            OTHERS.remove(executor);
        }
    }

    private static void run() {
        List<ClusterExecutor> all;
        synchronized (LOCK) {
            all = new ArrayList<>(OWNERS);
            all.addAll(OTHERS.keySet());
        }
        for (ClusterExecutor e : all) {
            e.shutdown(false, false);
        }
        for (ClusterExecutor e : all) {
            if (e.settlingThreadExits()) {
                continue; // a done callback of its calls called System.exit, and waits for this hook
            }
            try {
                if (!e.awaitTermination(e.drainTimeout())) {
                    e.shutdown(false, true);
                    e.abort(ABORT_GRACE);
                }
            } catch (RuntimeException failed) {
                System.getLogger(ClusterExecutor.class.getName()).log(System.Logger.Level.WARNING,
                        "ending " + e + " at JVM exit failed", failed);
            }
        }
    }
}
