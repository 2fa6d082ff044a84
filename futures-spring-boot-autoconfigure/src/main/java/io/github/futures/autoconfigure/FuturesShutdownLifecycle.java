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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the auto-configured pools down when the application context closes: once per pool,
 * {@code shutdown(wait, cancelFutures)} with the {@code futures.shutdown.*} values, or a named
 * pool's own {@code futures.executors.<name>.shutdown.*}.
 *
 * <p>Two stages, so that no request waiting on one of the pools' futures is left without an answer
 * when the web server stops:
 * <ol>
 * <li>The pools marked {@code cancel-futures} (batch work) are stopped first, by the
 * {@link #cancelFirstStage() cancel-first stage}, in the phase of the web server's graceful shutdown
 * ({@link #CANCEL_FIRST_PHASE}) and at the same time as it: their pending calls are cancelled at
 * once and their running calls get the pool's (short) timeout. A request waiting on one of their
 * futures gets its answer (a cancellation; 503 with {@code futures.web.errors.enabled}) while the
 * server still drains, and the CPU they free goes to the interactive pools.</li>
 * <li>The other pools keep running through the graceful shutdown, so that a request in flight still
 * gets its value (and may even submit another call). They are stopped in phase {@link #PHASE},
 * after the web server stopped and before singletons are destroyed.</li>
 * </ol>
 * Within a stage, every pool stops accepting work before any is waited for. While it waits, the
 * lifecycle logs what each pool still runs, every {@code futures.shutdown.log-interval}. It sees each
 * pool through one contract, {@link Terminable}, whatever its kind (thread, process or cluster
 * pool): {@code awaitTermination(timeout)}, and for a pool still busy when it passes, its pending
 * calls cancelled and {@code abort(grace)} (a thread pool interrupts its running calls, a process
 * pool terminates then kills its workers, a cluster pool cancels its remote calls); what was
 * abandoned is logged. An executor that is not {@code Terminable} is shut down with
 * {@code shutdown(true, cancelFutures)}, without a time limit. Each phase is published to the pool's
 * event listeners ({@code SHUTDOWN_STARTED}, {@code TERMINATED}) for the events endpoint.
 *
 * <p>If the context never started (its refresh failed), the same happens when the bean is destroyed.
 *
 * <p>Only the context's close stops the pools: a shut-down pool cannot start again, so a
 * {@code context.stop()} outside a close (Spring Cloud's pause endpoint, an operator through JMX),
 * which a {@code context.start()} may follow, leaves them running, as a pause does.
 *
 * <p>Implementation note: {@code stopped} and {@code running} are guarded by {@code this}; the second
 * stage runs in the thread that closes the context. The cancel-first stage runs in a thread of its
 * own ({@code cancelFirst}, written once under {@code this}); the pools it took are in
 * {@code handled} (concurrent), which the second stage skips after joining that thread for at most
 * the longest time the stage can take.
 *
 * @since 0.1.0
 */
public final class FuturesShutdownLifecycle implements SmartLifecycle, DisposableBean {

    /**
     * The lifecycle phase: one step (1024) below Spring Boot's web server start/stop phase, which is
     * itself one step below the graceful shutdown phase. Higher phases stop first.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    /**
     * The phase of the cancel-first stage: that of Spring Boot's web server graceful shutdown
     * ({@code WebServerGracefulShutdownLifecycle}, {@code DEFAULT_PHASE - 1024}), so that both run at
     * once: the server stops taking requests while the batch pools cancel what the requests in flight
     * wait for. A higher phase would keep the server accepting requests while the batch pools stop; a
     * lower one would cancel them only after the graceful shutdown gave up on those requests.
     */
    public static final int CANCEL_FIRST_PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    /** The default of {@code futures.shutdown.log-interval}. */
    static final Duration LOG_INTERVAL = Duration.ofSeconds(5);

    /** How long {@link Terminable#abort(Duration)} waits for each of its steps before the next, harder one. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private static final Log logger = LogFactory.getLog(FuturesShutdownLifecycle.class);

    private final ConfigurableListableBeanFactory beanFactory;

    private final List<String> poolNames;

    private final boolean wait;

    private final boolean cancelFutures;

    private final Duration timeout;

    private final FuturesSanitizer sanitizer;

    private final Map<String, Rule> rules;

    private final Duration logInterval;

    private final Set<String> handled = ConcurrentHashMap.newKeySet();

    private boolean running;

    private boolean stopped;

    private Thread cancelFirst;

    /** The context whose close stops the pools, when known; set once, before the context starts. */
    private volatile ConfigurableApplicationContext context;

    /**
     * One named pool's own shutdown rules; a {@code null} value is the lifecycle's.
     *
     * @param cancelFutures whether to cancel its pending calls, and stop it in the first stage
     * @param timeout how long to wait for it
     */
    public record Rule(Boolean cancelFutures, Duration timeout) {
    }

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
        this(beanFactory, poolNames, wait, cancelFutures, timeout, sanitizer, Map.of(), LOG_INTERVAL);
    }

    /**
     * A lifecycle for the pools of the given bean names, some with rules of their own.
     *
     * @param beanFactory the factory that holds the pools
     * @param poolNames the pools' bean names
     * @param wait whether to wait for the calls accepted
     * @param cancelFutures whether to cancel the calls not started (unless a pool's rule says otherwise)
     * @param timeout how long to wait for each pool, or {@code null} for no limit (unless a pool's rule says otherwise)
     * @param sanitizer masks secrets in the failures logged (a worker's command line, say)
     * @param rules pools' own rules, by bean name
     * @param logInterval how often to log what a pool still runs while the shutdown waits for it
     */
    public FuturesShutdownLifecycle(ConfigurableListableBeanFactory beanFactory, List<String> poolNames,
                                    boolean wait, boolean cancelFutures, Duration timeout, FuturesSanitizer sanitizer,
                                    Map<String, Rule> rules, Duration logInterval) {
        this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
        this.poolNames = List.copyOf(poolNames);
        this.wait = wait;
        this.cancelFutures = cancelFutures;
        this.timeout = timeout;
        this.sanitizer = Objects.requireNonNull(sanitizer, "sanitizer");
        this.rules = Map.copyOf(rules);
        this.logInterval = Objects.requireNonNull(logInterval, "logInterval");
        if (logInterval.isZero() || logInterval.isNegative()) {
            throw new IllegalArgumentException("logInterval must be positive, was " + logInterval);
        }
    }

    private boolean cancelFutures(String name) {
        Rule rule = this.rules.get(name);
        return rule != null && rule.cancelFutures() != null ? rule.cancelFutures() : this.cancelFutures;
    }

    private Duration timeout(String name) {
        Rule rule = this.rules.get(name);
        return rule != null && rule.timeout() != null ? rule.timeout() : this.timeout;
    }

    /**
     * Tells the lifecycle which context's close stops the pools; without it, every stop does.
     *
     * @param context the context that holds the pools
     */
    void stopOnlyOnCloseOf(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Whether a stop now is part of the context's close, rather than a {@code context.stop()} that a start may follow. */
    private boolean closing() {
        ConfigurableApplicationContext c = this.context;
        return c == null || c.isClosed();
    }

    @Override
    public synchronized void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        if (!closing()) {
            synchronized (this) {
                this.running = false; // a start may follow: the pools keep running meanwhile
            }
            return;
        }
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

    private void shutdownPools() {
        Thread first;
        synchronized (this) {
            this.running = false;
            if (this.stopped) {
                return;
            }
            this.stopped = true;
            first = this.cancelFirst;
        }
        if (first != null) {
            joinCancelFirst(first);
        }
        Map<String, Executor> pools = pools(name -> true);
        // The cancel-futures pools first, so that their workers are free sooner for the others.
        Map<String, Executor> ordered = new LinkedHashMap<>();
        pools.forEach((name, pool) -> {
            if (cancelFutures(name)) {
                ordered.put(name, pool);
            }
        });
        ordered.putAll(pools);
        stopPools(ordered);
    }

    /** The existing pools among the names that {@code filter} accepts and that no stage has taken yet, taken now. */
    private Map<String, Executor> pools(java.util.function.Predicate<String> filter) {
        Map<String, Executor> pools = new LinkedHashMap<>();
        for (String name : this.poolNames) {
            if (filter.test(name) && this.beanFactory.containsSingleton(name)
                    && this.beanFactory.getSingleton(name) instanceof Executor executor && this.handled.add(name)) {
                pools.put(name, executor);
            }
        }
        return pools;
    }

    /** Every pool stops taking work (and drops what has not started, if asked) before any is waited for. */
    private void stopPools(Map<String, Executor> pools) {
        pools.forEach((name, pool) -> guarded(name, () -> startShutdown(name, pool)));
        if (this.wait && !pools.isEmpty()) {
            ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "futures-shutdown-progress");
                t.setDaemon(true);
                return t;
            });
            try {
                pools.forEach((name, pool) -> guarded(name, () -> awaitPool(name, pool, progress)));
            } finally {
                progress.shutdownNow();
            }
        }
    }

    /**
     * The first stage: stops the pools marked {@code cancel-futures}, in a thread of its own, and then
     * runs {@code callback}. Called once, by the {@link #cancelFirstStage()} lifecycle.
     */
    private void stopCancelFirstPools(Runnable callback) {
        Thread thread = new Thread(() -> {
            try {
                stopPools(pools(this::cancelFutures));
            } finally {
                callback.run();
            }
        }, "futures-shutdown-cancel-first");
        thread.setDaemon(true);
        synchronized (this) {
            if (this.stopped || this.cancelFirst != null) {
                callback.run();
                return;
            }
            this.cancelFirst = thread;
        }
        thread.start();
    }

    /**
     * Waits for the first stage at most as long as it can take: it waits for its pools one after the
     * other, each for its timeout and then an abort's steps.
     */
    private void joinCancelFirst(Thread first) {
        Duration most = Duration.ZERO;
        for (String name : this.poolNames) {
            if (cancelFutures(name)) {
                Duration t = timeout(name);
                if (t == null) {
                    most = null;
                    break;
                }
                most = most.plus(t).plus(GRACE.multipliedBy(3));
            }
        }
        try {
            if (most == null) {
                first.join();
            } else {
                first.join(Math.max(1, most.toMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The lifecycle of the first stage, in {@link #CANCEL_FIRST_PHASE}: stops the pools marked
     * {@code cancel-futures} while the web server drains its requests.
     *
     * @return the lifecycle, to register as a bean
     */
    public SmartLifecycle cancelFirstStage() {
        return new CancelFirstStage();
    }

    /**
     * {@code shutdown(false, cancelFutures)}, told to the pool's event listeners (the events endpoint)
     * and the log: what it waits for, and how many pending calls it cancelled.
     */
    private void startShutdown(String name, Executor pool) {
        boolean cancel = cancelFutures(name);
        Duration limitTime = timeout(name);
        ExecutorSnapshot before = snapshot(pool);
        pool.shutdown(false, cancel);
        if (before == null) {
            return;
        }
        long cancelled = cancel ? Math.max(0, snapshotCancelled(pool) - before.cancelled()) : 0;
        long pending = Math.max(0, before.pending() - cancelled);
        String counts = before.running() + " running and " + pending + " pending calls";
        String limit = limitTime == null ? "" : " (at most " + format(limitTime) + ")";
        String detail = (cancel ? "cancelled " + cancelled + " pending calls; " : "")
                + (this.wait ? "waiting for " + counts + limit : "not waiting for " + counts);
        publish(pool, PoolEvent.now(PoolEvent.Type.SHUTDOWN_STARTED, -1, cancel ? "cancel-futures" : null, detail));
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
    private void awaitPool(String name, Executor pool, ScheduledExecutorService progress) {
        long start = System.nanoTime();
        Duration limit = timeout(name);
        long every = this.logInterval.toMillis();
        ScheduledFuture<?> progressLog = progress.scheduleAtFixedRate(() -> logProgress(name, pool, start, limit),
                every, every, TimeUnit.MILLISECONDS);
        try {
            if (!(pool instanceof Terminable terminable)) {
                pool.shutdown(true, cancelFutures(name));
                publishTerminated(pool, start);
                return;
            }
            if (terminable.awaitTermination(limit)) {
                publishTerminated(pool, start);
                return;
            }
        } finally {
            progressLog.cancel(false);
        }
        abort(name, pool, (Terminable) pool, limit);
    }

    /** The progress line, every log interval while the shutdown waits for one pool: read from a snapshot. */
    private void logProgress(String name, Executor pool, long start, Duration limit) {
        ExecutorSnapshot s = snapshot(pool);
        if (s == null || !logger.isInfoEnabled()) {
            return;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        // whole seconds, as people read a stop's progress; tenths of a second below one
        Duration waited = millis < 1000 ? Duration.ofMillis(millis / 100 * 100) : Duration.ofSeconds(millis / 1000);
        logger.info("Waiting for " + s.running() + " running and " + s.pending() + " pending calls in pool '" + name
                + "' (" + format(waited) + " so far"
                + (limit == null ? "" : ", at most " + format(limit)) + ")");
    }

    /** The pool outlasted its timeout: its pending calls cancelled, its running calls aborted. */
    private void abort(String name, Executor pool, Terminable terminable, Duration limit) {
        ExecutorSnapshot before = snapshot(pool);
        pool.shutdown(false, true); // cancel what is still queued
        boolean ended = terminable.abort(GRACE);
        long cancelled = before == null ? -1 : snapshotCancelled(pool) - before.cancelled();
        String what = (before == null ? "" : "abandoned " + before.running() + " running and "
                + cancelled + " pending call(s); ")
                + "cancelled the pending calls and aborted the running ones"
                + (ended ? "; the pool has ended." : "; some workers ignored it and are left running.");
        publish(pool, PoolEvent.now(PoolEvent.Type.TERMINATED, -1, "timeout",
                "gave up after " + format(limit) + ": " + what));
        logger.warn("Pool '" + name + "' was still busy " + format(limit) + " after shutdown began: " + what);
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

    /** The first stage's lifecycle: asynchronous, so that it runs beside the web server's graceful shutdown. */
    private final class CancelFirstStage implements SmartLifecycle {

        private volatile boolean started;

        @Override
        public void start() {
            this.started = true;
        }

        /** Starts the stage without waiting for it: the second stage waits for it. */
        @Override
        public void stop() {
            stop(() -> { });
        }

        @Override
        public void stop(Runnable callback) {
            this.started = false;
            if (!closing()) {
                callback.run(); // not a close: the pools keep running, as the lifecycle's stop leaves them
                return;
            }
            stopCancelFirstPools(callback);
        }

        @Override
        public boolean isRunning() {
            return this.started;
        }

        @Override
        public int getPhase() {
            return CANCEL_FIRST_PHASE;
        }

        /** Not pauseable, as the lifecycle itself. */
        @Override
        public boolean isPauseable() {
            return false;
        }
    }
}
