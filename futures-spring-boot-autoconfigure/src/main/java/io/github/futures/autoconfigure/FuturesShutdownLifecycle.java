package io.github.futures.autoconfigure;

import io.github.futures.Executor;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.Terminable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the auto-configured pools down when the application context closes: once per pool,
 * {@code shutdown(wait, cancelFutures)} with the {@code futures.shutdown.*} values.
 *
 * <p>It stops in phase {@link #PHASE}, after the web server's graceful shutdown has drained the
 * requests in flight (a request waiting on a future still gets its answer) and after the web
 * server stopped, and before singletons are destroyed. First every pool stops accepting work (and
 * cancels what has not started, if asked), then each is waited for. The lifecycle sees each pool
 * through one contract, {@link Terminable}, whatever its kind (thread, process or cluster pool):
 * {@code awaitTermination(timeout)}, and for a pool still busy when it passes, its pending calls
 * cancelled and {@code abort(grace)} (a thread pool interrupts its running calls, a process pool
 * terminates then kills its workers, a cluster pool cancels its remote calls); what was abandoned
 * is logged. An executor that is not {@code Terminable} is shut down with
 * {@code shutdown(true, cancelFutures)}, without a time limit.
 *
 * <p>If the context never started (its refresh failed), the same happens when the bean is destroyed.
 *
 * <p>Implementation note: {@code stopped} is guarded by {@code this}; stop and destroy run in the
 * thread that closes the context.
 *
 * @since 0.1.0
 */
public final class FuturesShutdownLifecycle implements SmartLifecycle, DisposableBean {

    /**
     * The lifecycle phase: one step (1024) below Spring Boot's web server start/stop phase, which is
     * itself one step below the graceful shutdown phase. Higher phases stop first.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    /** How long {@link Terminable#abort(Duration)} waits for each of its steps before the next, harder one. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private static final Log logger = LogFactory.getLog(FuturesShutdownLifecycle.class);

    private final ConfigurableListableBeanFactory beanFactory;

    private final List<String> poolNames;

    private final boolean wait;

    private final boolean cancelFutures;

    private final Duration timeout;

    private final FuturesSanitizer sanitizer;

    private boolean running;

    private boolean stopped;

    /**
     * A lifecycle for the pools of the given bean names; names of beans that do not exist or were
     * never created are skipped.
     *
     * @param beanFactory the factory that holds the pools
     * @param poolNames the pools' bean names
     * @param wait whether to wait for the calls accepted
     * @param cancelFutures whether to cancel the calls not started
     * @param timeout how long to wait for each pool, or {@code null} for no limit
     */
    public FuturesShutdownLifecycle(ConfigurableListableBeanFactory beanFactory, List<String> poolNames,
                                    boolean wait, boolean cancelFutures, Duration timeout) {
        this(beanFactory, poolNames, wait, cancelFutures, timeout, FuturesSanitizer.builtIn());
    }

    /**
     * A lifecycle for the pools of the given bean names, whose log lines go through {@code sanitizer}.
     *
     * @param beanFactory the factory that holds the pools
     * @param poolNames the pools' bean names
     * @param wait whether to wait for the calls accepted
     * @param cancelFutures whether to cancel the calls not started
     * @param timeout how long to wait for each pool, or {@code null} for no limit
     * @param sanitizer masks secrets in the failures logged (a worker's command line, say)
     */
    public FuturesShutdownLifecycle(ConfigurableListableBeanFactory beanFactory, List<String> poolNames,
                                    boolean wait, boolean cancelFutures, Duration timeout, FuturesSanitizer sanitizer) {
        this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
        this.poolNames = List.copyOf(poolNames);
        this.wait = wait;
        this.cancelFutures = cancelFutures;
        this.timeout = timeout;
        this.sanitizer = Objects.requireNonNull(sanitizer, "sanitizer");
    }

    @Override
    public synchronized void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        shutdownPools();
    }

    @Override
    public synchronized boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * Not pauseable: a shut-down pool cannot be started again, so a pause of the context (Spring's
     * test context cache pauses the contexts it is not using) must leave the pools running.
     *
     * @return {@code false}
     */
    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public void destroy() {
        shutdownPools();
    }

    private synchronized void shutdownPools() {
        this.running = false;
        if (this.stopped) {
            return;
        }
        this.stopped = true;
        Map<String, Executor> pools = new LinkedHashMap<>();
        for (String name : this.poolNames) {
            if (this.beanFactory.containsSingleton(name)
                    && this.beanFactory.getSingleton(name) instanceof Executor executor) {
                pools.put(name, executor);
            }
        }
        // Every pool stops taking work (and drops what has not started, if asked) before any is waited for.
        pools.forEach((name, pool) -> guarded(name, () -> startShutdown(name, pool)));
        if (this.wait) {
            pools.forEach((name, pool) -> guarded(name, () -> awaitPool(name, pool)));
        }
    }

    /**
     * {@code shutdown(false, cancelFutures)}, told to the pool's event listeners (the events endpoint)
     * and the log: what it waits for, and how many pending calls it cancelled.
     */
    private void startShutdown(String name, Executor pool) {
        ExecutorSnapshot before = snapshot(pool);
        pool.shutdown(false, this.cancelFutures);
        if (before == null) {
            return;
        }
        long cancelled = this.cancelFutures ? Math.max(0, snapshotCancelled(pool) - before.cancelled()) : 0;
        long pending = Math.max(0, before.pending() - cancelled);
        String counts = before.running() + " running and " + pending + " pending calls";
        String limit = this.timeout == null ? "" : " (at most " + format(this.timeout) + ")";
        String detail = (this.cancelFutures ? "cancelled " + cancelled + " pending calls; " : "")
                + (this.wait ? "waiting for " + counts + limit : "not waiting for " + counts);
        publish(pool, PoolEvent.now(PoolEvent.Type.SHUTDOWN_STARTED, -1, this.cancelFutures ? "cancel-futures" : null,
                detail));
        if (!logger.isInfoEnabled()) {
            return;
        }
        if (cancelled > 0) {
            logger.info("Cancelled " + cancelled + " pending calls in pool '" + name + "'");
        }
        if (this.wait && before.running() + pending > 0) {
            logger.info("Waiting for " + counts + " in pool '" + name + "'" + limit);
        }
    }

    /** Tells the pool's event listeners; a pool that is not observable has none. */
    private static void publish(Executor pool, PoolEvent event) {
        if (pool instanceof ObservableExecutor observable) {
            observable.taskStats().publish(event);
        }
    }

    /** One pool failing to shut down must not keep the others running. */
    private void guarded(String name, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // Not the throwable itself: its message may hold a worker's command line.
            logger.warn("Failed to shut down pool '" + name + "': " + this.sanitizer.describe(e));
        }
    }

    /**
     * Waits for one pool, through {@link Terminable} only: {@code awaitTermination(timeout)}; when it
     * is still busy then, {@code shutdown(false, true)} and {@code abort(GRACE)}. A pool that is not
     * {@code Terminable} is shut down with {@code shutdown(true, cancelFutures)}: no time limit applies.
     */
    private void awaitPool(String name, Executor pool) {
        long start = System.nanoTime();
        if (!(pool instanceof Terminable terminable)) {
            pool.shutdown(true, this.cancelFutures);
            publishTerminated(pool, start);
            return;
        }
        if (terminable.awaitTermination(this.timeout)) {
            publishTerminated(pool, start);
            return;
        }
        ExecutorSnapshot before = snapshot(pool);
        pool.shutdown(false, true); // cancel what is still queued
        boolean ended = terminable.abort(GRACE);
        long cancelled = before == null ? -1 : snapshotCancelled(pool) - before.cancelled();
        String what = (before == null ? "" : "abandoned " + before.running() + " running and "
                + cancelled + " pending call(s); ")
                + "cancelled the pending calls and aborted the running ones"
                + (ended ? "; the pool has ended." : "; some workers ignored it and are left running.");
        publish(pool, PoolEvent.now(PoolEvent.Type.TERMINATED, -1, "timeout",
                "gave up after " + format(this.timeout) + ": " + what));
        logger.warn("Pool '" + name + "' was still busy " + format(this.timeout) + " after shutdown began: " + what);
    }

    private static void publishTerminated(Executor pool, long start) {
        Duration took = Duration.ofMillis((System.nanoTime() - start) / 1_000_000);
        publish(pool, PoolEvent.now(PoolEvent.Type.TERMINATED, -1, null, "ended after " + format(took)));
    }

    /**
     * A duration as people write it in properties, {@code 3s} or {@code 300ms}, not {@code PT3S}: in
     * the largest unit that divides it.
     */
    static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String[] units = { "d", "h", "m", "s", "ms", "us" };
        long[] sizes = { 86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L };
        for (int i = 0; i < units.length; i++) {
            if (nanos % sizes[i] == 0) {
                return (nanos / sizes[i]) + units[i];
            }
        }
        return nanos + "ns";
    }

    private static ExecutorSnapshot snapshot(Executor pool) {
        try {
            return pool instanceof ObservableExecutor observable ? observable.snapshot() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long snapshotCancelled(Executor pool) {
        ExecutorSnapshot after = snapshot(pool);
        return after == null ? 0 : after.cancelled();
    }
}
