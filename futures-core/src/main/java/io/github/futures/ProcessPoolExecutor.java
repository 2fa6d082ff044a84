package io.github.futures;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ExitingThreads;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolControl;
import io.github.futures.spi.Resizable;
import io.github.futures.spi.WorkerControl;
import io.github.futures.spi.Serialization;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Rebuildable;
import io.github.futures.spi.Terminable;
import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An {@link Executor} that runs calls in a pool of worker JVMs: Python's
 * {@code concurrent.futures.ProcessPoolExecutor}.
 *
 * <pre>{@code
 * static boolean isPrime(long n) { ... }
 *
 * List<Long> numbers = LongStream.range(1_000_000_000_000L, 1_000_000_000_200L).boxed().toList();
 * try (var executor = new ProcessPoolExecutor()) {
 *     Iterator<Boolean> primes = executor.map(Primes::isPrime, numbers).iterator();
 *     for (long n : numbers) {
 *         System.out.println(n + " is prime: " + primes.next());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Workers.</b> Each worker is a separate JVM started from this JVM's {@code java} executable
 * and class path (from a Spring Boot executable jar too), so calls may use any class of the
 * application. As in a Spring Boot executable jar, the application's classes are loaded by a class
 * loader of their own, the context class loader of the worker's threads, and not by the system class
 * loader, which holds only this library: the JDK scans every jar on the system class path once per
 * JVM (for a {@code System.LoggerFinder}, before the first object is deserialized), which made a worker
 * of a 118-jar application take 33 ms longer to start. {@code java.class.path} reads as in this JVM;
 * what the JDK looks up on the system class loader alone (a {@code System.LoggerFinder} provider,
 * say) is not found in a worker, as in a Boot jar.
 * (A class path without this library's own jar or directory, or with a wildcard, is the worker's
 * {@code -cp} as it is.) Workers start lazily, several in parallel, up to {@link #maxWorkers()}; an idle worker
 * is reused before a new one starts. {@link Builder#javaExecutable}, {@link Builder#jvmArgs} and
 * {@link Builder#environment} choose how workers start (Python's {@code mp_context}). By default
 * workers run with options that favour a fast start ({@code -XX:TieredStopAtLevel=1
 * -XX:+UseSerialGC}); options given with {@code jvmArgs} come after them and win.
 * A worker whose heap runs out exits ({@code -XX:+ExitOnOutOfMemoryError}). A worker runs one call at
 * a time, on one of its two threads (the one that read it). When this JVM exits without the pool having
 * been shut down, a shutdown hook lets the calls already submitted run first (as CPython's
 * {@code _python_exit}); an idle pool does not hold the JVM, and calls submitted once the JVM began to
 * exit are refused.
 *
 * <p><b>What crosses the process boundary.</b> Calls, their arguments, their results and their
 * exceptions travel Java-serialized over the worker's standard input and output (no socket, no
 * port). They must be {@link Serializable}: a lambda is when its target type is, so pass
 * {@link SerializableCallable}, {@link SerializableRunnable} or {@link SerializableFunction} (the
 * overloads of {@link SerializingExecutor} take them), or cast: {@code (SerializableCallable<Integer>) () -> 42}. A call
 * that cannot be serialized is refused by {@code submit} with an {@link IllegalArgumentException}
 * naming the class at fault. A result that cannot be serialized fails only its own future (with a
 * {@link java.io.NotSerializableException} naming the class). An exception thrown by a call keeps its
 * type, message and stack frames; the stack trace as printed in the worker is attached as a
 * {@link RemoteTraceback} cause. Everything read is checked by an
 * {@link java.io.ObjectInputFilter} ({@link Builder#serialFilter}), and no message may exceed
 * {@link Builder#maxMessageSize}. What a call prints on {@code System.out} or {@code System.err}
 * appears on this JVM's standard error, each line prefixed with {@code [worker <pid>]} (with
 * {@link Builder#threadNamePrefix}, {@code [<prefix> worker <pid>]}).
 *
 * <p><b>The worker's standard streams.</b> The raw {@link java.io.FileDescriptor#in} and
 * {@link java.io.FileDescriptor#out} of a worker are the pool's channel: calls arrive on the one and
 * results leave on the other. A call sees an empty {@code System.in} (a read returns end of stream at
 * once, as CPython gives its workers {@code /dev/null}), and its {@code System.out} is the worker's
 * standard error. A call must not write to {@code FileDescriptor.out} itself (nor native code, nor a
 * JVM option such as {@code -Xlog:...:stdout}): bytes that are not a frame break the pool, with a
 * message that shows what was written.
 *
 * <p><b>When a worker dies</b> (killed, {@code System.exit}, a crash, out of memory) the pool is
 * broken: every pending future fails at once with {@link BrokenProcessPool}, whose message names the
 * worker's pid and exit code, and every later submit throws it (CPython's behaviour, the default).
 * With {@link Builder#onWorkerDeath onWorkerDeath(REPLACE_WORKER)} only the call the worker was
 * running fails, with {@link TerminatedWorkerError}, and a new worker takes its place; a broken pool
 * can also be {@linkplain #rebuild() rebuilt}. When this JVM dies, even by {@code kill -9}, its workers
 * see their standard input close and exit.
 *
 * <p><b>Stopping calls.</b> {@link Future#cancel(boolean) cancel(true)} on a running call kills the
 * worker JVM running it and starts another; the calls that were sent ahead to that worker go back to
 * the front of the queue. {@link Builder#callTimeout} does the same to a call that runs too long,
 * after the worker printed its thread dump. {@link Builder#maxWorkerMemory},
 * {@link Builder#idleTimeout} and {@link Builder#maxTasksPerChild} recycle workers, each replacement
 * starting before the old worker retires.
 *
 * <p><b>Context.</b> With a {@linkplain Builder#callInterceptor call interceptor}, each call's
 * {@code remoteContext()} entries travel with it (at most 64 entries and 16 KiB; what does not fit
 * is left out) and are restored in the worker as SLF4J MDC entries around the call, when SLF4J is on
 * the worker's class path, with {@code traceId}/{@code spanId} from a valid W3C {@code traceparent};
 * they are put back as they were after the call, whatever its outcome. A line the worker begins
 * while such a traced call runs is forwarded as {@code [worker <pid> trace=<traceId>] ...} instead of
 * {@code [worker <pid>] ...}; the mark follows the call running in the worker when the line starts,
 * so output of a thread the call started that outlives it is marked with the trace of whichever call
 * runs then, or none.
 *
 * <p>Memory consistency effects: actions in a thread before it submits a call <i>happen-before</i>
 * the future of the call completes, which <i>happens-before</i> its result is read. The call itself
 * runs in another JVM and shares no memory with this one.
 *
 * @since 0.1.0
 */
public final class ProcessPoolExecutor implements SerializingExecutor, ObservableExecutor, Terminable, Rebuildable,
        PoolControl, WorkerControl, Resizable {

    /**
     * Shuts down the pools that became unreachable without a shutdown, as CPython's workers end when
     * their executor is garbage-collected. One daemon thread for all pools, started with the first.
     */
    private static final Cleaner CLEANER = Cleaner.create();

    /**
     * The engine. It holds nothing of this object (its threads, the exit hook's weak map and the
     * streams of map hold the engine, not the executor), so an executor dropped without shutdown
     * becomes unreachable, and the {@link #CLEANER} shuts its engine down: the calls accepted still
     * run, then the workers exit.
     */
    private final ProcessPool pool;
    private final Map<String, Object> reportedConfig;
    /** Gives each call its scope, or null (then nothing is made per call). */
    private final CallInterceptor interceptor;
    /** This pool as the interceptor sees it: its name, kind "process". */
    private final CallInterceptor.CallInfo callInfo;
    /** The operator's actions (cancel pending, replace, dump, resize); holds the engine only. */
    private final ProcessPoolControl control;

    /**
     * A pool of {@code availableProcessors()} worker processes: CPU-bound work gains nothing from
     * more processes than cores (Python's default as well).
     */
    public ProcessPoolExecutor() {
        this(new Builder());
    }

    /**
     * A pool of at most {@code maxWorkers} worker processes.
     *
     * @param maxWorkers at least 1
     * @throws IllegalArgumentException if {@code maxWorkers <= 0}
     */
    public ProcessPoolExecutor(int maxWorkers) {
        this(new Builder().maxWorkers(maxWorkers));
    }

    private ProcessPoolExecutor(Builder b) {
        this.pool = ProcessPool.create(ProcessPoolConfig.of(b), ProcessPoolConfig.recoveryOf(b));
        if (b.maxPending > 0) {
            pool.limitPending(b.maxPending);
        }
        this.reportedConfig = ProcessPoolConfig.describe(b, pool);
        this.interceptor = b.callInterceptor;
        this.callInfo = new CallInterceptor.CallInfo(pool.name(), "process");
        this.control = new ProcessPoolControl(pool);
        ExitHook.register(this, ExitHook.AS_TERMINABLE);
        CLEANER.register(this, new DropAction(pool));
    }

    /** What the cleaner does when an executor became unreachable: shut its engine down. Holds the engine only. */
    private record DropAction(ProcessPool pool) implements Runnable {
        @Override
        public void run() {
            pool.shutdown(false, false);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each worker ends once it has run the calls it was given.
     */
    @Override
    public void beginJvmExit() {
        pool.shutdownForJvmExit();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once every worker has ended, however long that takes.
     */
    @Override
    public void awaitJvmExit() {
        if (!ExitingThreads.anyCallsExit(poolThreads())) {
            pool.awaitTermination(-1L);
        }
    }

    /** The pool's threads, for the JVM exit hook. */
    List<Thread> poolThreads() {
        return pool.threads();
    }

    /**
     * A builder with the defaults ({@code availableProcessors()} workers, no initializer, no task
     * limit per worker, this JVM's {@code java}, the fast-start options).
     *
     * <pre>{@code
     * var pool = ProcessPoolExecutor.builder()
     *         .maxWorkers(4)
     *         .jvmArgs("-Xmx256m")
     *         .initializer(() -> System.setProperty("role", "worker"))
     *         .maxTasksPerChild(1000)
     *         .build();
     * }</pre>
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The maximum number of worker processes.
     *
     * @return {@code maxWorkers}, as built or as last {@link #setMaxWorkers set}
     */
    @Override
    public int maxWorkers() {
        return pool.maxWorkers;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A worker above the new limit that is starting is killed (nothing was sent to it); a busy
     * one takes no more calls, gives back those sent to it ahead of time, and exits after the call
     * it runs.
     */
    @Override
    public void setMaxWorkers(int maxWorkers) {
        control.setMaxWorkers(maxWorkers);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Calls already sent to a worker ahead of their turn count as running (as in CPython's call
     * queue) and are not cancelled.
     */
    @Override
    public int cancelPending() {
        return control.cancelPending();
    }

    @Override
    public String replaceWorker(long pid) {
        return control.replaceWorker(pid);
    }

    @Override
    public String threadDump(long pid) {
        return control.threadDump(pid);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each live worker JVM's dump, one after the other, each headed by its pid.
     */
    @Override
    public String threadDump() {
        return control.threadDump();
    }

    // ------------------------------------------------------------------ submit

    /**
     * Schedules {@code fn}, which must be {@link Serializable} (for example a
     * {@link SerializableCallable}): it runs in another JVM.
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable, naming its class
     */
    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        Serialization.requireSerializable(fn, "task", "(SerializableCallable<T>) () -> ...", "a worker process");
        return accept(fn);
    }

    /**
     * Schedules {@code fn}, which must be {@link Serializable} (for example a
     * {@link SerializableRunnable}): it runs in another JVM.
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable, naming its class
     */
    @Override
    public Future<Void> submit(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        Serialization.requireSerializable(fn, "task", "(SerializableRunnable) () -> ...", "a worker process");
        return accept(Serialization.callable(fn));
    }

    /** Submits to the engine (through the interceptor, if any: {@link SubmitChunk#submit}). */
    private <T> Future<T> accept(Callable<T> fn) {
        return SubmitChunk.submit(pool, fn, interceptor, callInfo);
    }

    // ------------------------------------------------------------------ map

    /**
     * Maps in worker processes, {@code chunksize} items per message; {@code fn} must be
     * {@link Serializable}, as must the items and results.
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable, naming its class
     */
    @Override
    public <T, R> Stream<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        Objects.requireNonNull(fn, "fn");
        Serialization.requireSerializable(fn, "function", "(SerializableFunction<T, R>) x -> ...", "a worker process");
        return SubmitChunk.map(pool, fn, items, options, interceptor, callInfo);
    }

    /**
     * Starts the worker JVMs now, all in parallel, rather than at the first calls: as the JDK's
     * {@code prestartAllCoreThreads}. Workers start until {@link #maxWorkers()} are alive or starting;
     * the first calls then find them warm. Returns at once: each worker starts on a thread of its own.
     * A worker that cannot start breaks the pool as it would at a call.
     *
     * @return how many workers it started (0 when all were already there)
     * @throws java.util.concurrent.RejectedExecutionException after shutdown
     * @throws BrokenProcessPool if the pool is broken
     */
    public int prestartWorkers() {
        return pool.prestartWorkers();
    }

    /**
     * If the pool is broken, starts fresh workers and accepts calls again; the futures the breakage
     * failed stay failed.
     *
     * @return {@code true} if it was broken and is rebuilt, {@code false} if it was not broken
     * @throws IllegalStateException after shutdown
     */
    @Override
    public boolean rebuild() {
        return pool.rebuild();
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * {@inheritDoc}
     *
     * <p>A done callback of this pool's futures that shuts it down with {@code wait} (or waits in
     * {@link #awaitTermination}) waits for the pool's other work, its other callbacks included, but not
     * for itself, nor for other callbacks waiting for the pool's end as it does: they return together
     * once the rest has ended.
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        pool.shutdown(wait, cancelFutures);
    }

    /**
     * Python 3.14's {@code terminate_workers}: shuts the pool down (cancelling calls not yet sent to a
     * worker) and asks every worker process to stop now (SIGTERM on Unix); calls they were running
     * fail with {@link BrokenProcessPool}.
     */
    public void terminateWorkers() {
        pool.recycler.endWorkers(false);
    }

    /**
     * Python 3.14's {@code kill_workers}: like {@link #terminateWorkers()}, but kills the worker
     * processes (SIGKILL on Unix).
     */
    public void killWorkers() {
        pool.recycler.endWorkers(true);
    }

    /**
     * Waits until every call accepted has ended and every worker process has exited, after a
     * {@link #shutdown(boolean, boolean) shutdown}.
     *
     * @param timeout the limit; {@code null} waits without limit
     * @return whether all ended in time
     * @throws IllegalStateException if the pool was not shut down
     */
    @Override
    public boolean awaitTermination(Duration timeout) {
        long nanos = Timeouts.toNanosOrForever(timeout);
        if (!pool.isShutdown()) {
            throw new IllegalStateException("awaitTermination needs shutdown first");
        }
        return pool.awaitTermination(nanos);
    }

    /**
     * Stops the calls still running: cancels the pending ones, terminates the worker processes
     * ({@link #terminateWorkers()}), waits up to {@code grace}, then kills those left
     * ({@link #killWorkers()}) and waits up to {@code grace} again. Calls that were running fail
     * with {@link BrokenProcessPool}.
     *
     * @param grace how long to wait after each step
     * @return whether the pool has ended
     * @throws IllegalStateException if the pool was not shut down
     */
    @Override
    public boolean abort(Duration grace) {
        long nanos = Timeouts.toNanosOrForever(Objects.requireNonNull(grace, "grace"));
        if (!pool.isShutdown()) {
            throw new IllegalStateException("abort needs shutdown first");
        }
        pool.recycler.endWorkers(false);
        if (pool.awaitTermination(nanos)) {
            return true;
        }
        pool.recycler.endWorkers(true);
        return pool.awaitTermination(nanos);
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return {@code true} once shut down
     */
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    /**
     * Whether the pool is broken (a worker died, or an initializer failed).
     *
     * @return {@code true} if broken
     */
    public boolean isBroken() {
        return pool.isBroken();
    }

    /**
     * The command line that starts a worker, for diagnostics.
     *
     * @return the command
     */
    public List<String> workerCommand() {
        return pool.command();
    }

    // ------------------------------------------------------------------ observability

    @Override
    public String kind() {
        return "process";
    }

    @Override
    public ExecutorSnapshot snapshot() {
        return pool.snapshot(kind(), ProcessPoolControl.withCurrentMaxWorkers(reportedConfig, pool.maxWorkers));
    }

    @Override
    public TaskStats taskStats() {
        return pool.stats();
    }

    @Override
    public String toString() {
        return "ProcessPoolExecutor[" + pool.name() + ", maxWorkers=" + pool.maxWorkers + ", state=" + pool.state() + "]";
    }

    // ------------------------------------------------------------------ builder

    /** Builds a {@link ProcessPoolExecutor}; every setting is optional. */
    public static final class Builder {
        // Package-private: ProcessPoolConfig reads them (of, recoveryOf, describe).
        int maxWorkers = Runtime.getRuntime().availableProcessors();
        SerializableRunnable initializer;
        int maxTasksPerChild;
        List<String> jvmArgs = List.of();
        String javaExecutable;
        Map<String, String> environment = Map.of();
        boolean fastStartupOptions = true;
        String serialFilter;
        int maxMessageSize = ProcessPool.DEFAULT_MAX_MESSAGE_SIZE;
        String classPath;
        long callTimeoutNanos;
        WorkerDeathPolicy onWorkerDeath = WorkerDeathPolicy.BREAK_POOL;
        long maxWorkerMemory;
        long idleTimeoutNanos;
        int minWorkers;
        int maxPending;
        boolean startupArchive = true;
        Path startupArchiveDirectory;
        CallInterceptor callInterceptor;
        String threadNamePrefix;

        private Builder() {
        }

        /**
         * @param maxWorkers the maximum number of worker processes, at least 1 (default: the number of processors)
         * @return this builder
         * @throws IllegalArgumentException if {@code maxWorkers <= 0}
         */
        public Builder maxWorkers(int maxWorkers) {
            if (maxWorkers <= 0) {
                throw new IllegalArgumentException("maxWorkers must be greater than 0, got " + maxWorkers);
            }
            this.maxWorkers = maxWorkers;
            return this;
        }

        /**
         * Names the pool, as {@link ThreadPoolExecutor.Builder#threadNamePrefix} does a thread pool: this
         * JVM's threads that serve the pool are named {@code <prefix>-worker-<n>} (and
         * {@code <prefix>-worker-<n>-stderr}, {@code <prefix>-timer}), and each line a worker prints is
         * forwarded as {@code [<prefix> worker <pid>] ...}. Default: {@code ProcessPoolExecutor-<k>}, k
         * counting pools in this JVM, with lines forwarded as {@code [worker <pid>] ...}.
         *
         * @param threadNamePrefix the pool's name; {@code null} or empty for the default
         * @return this builder
         */
        public Builder threadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix == null || threadNamePrefix.isEmpty() ? null : threadNamePrefix;
            return this;
        }

        /**
         * @param initializer run once in each worker process before its first call; if it throws, the
         *     pool is broken. Must be serializable.
         * @return this builder
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * @param maxTasksPerChild calls a worker process runs before it is replaced by a fresh one, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxTasksPerChild <= 0}
         */
        public Builder maxTasksPerChild(int maxTasksPerChild) {
            if (maxTasksPerChild <= 0) {
                throw new IllegalArgumentException("maxTasksPerChild must be at least 1, got " + maxTasksPerChild);
            }
            this.maxTasksPerChild = maxTasksPerChild;
            return this;
        }

        /**
         * @param jvmArgs options for the worker JVMs, such as {@code -Xmx256m}; they come after the
         *     defaults and so override them
         * @return this builder
         */
        public Builder jvmArgs(String... jvmArgs) {
            // Arrays.asList, not List.of: List.of rejects a null element with a message-less NPE
            // before the check below can name the argument.
            return jvmArgs(java.util.Arrays.asList(Objects.requireNonNull(jvmArgs, "jvmArgs")));
        }

        /**
         * @param jvmArgs options for the worker JVMs, such as {@code -Xmx256m}
         * @return this builder
         */
        public Builder jvmArgs(List<String> jvmArgs) {
            for (String a : Objects.requireNonNull(jvmArgs, "jvmArgs")) {
                Objects.requireNonNull(a, "jvmArgs element");
                if (a.isBlank()) {
                    throw new IllegalArgumentException("jvmArgs must not contain blank options: " + jvmArgs);
                }
            }
            this.jvmArgs = List.copyOf(jvmArgs);
            return this;
        }

        /**
         * The java executable that starts workers (Python's {@code mp_context}); default: this JVM's own.
         *
         * @param javaExecutable a path to {@code java}
         * @return this builder
         */
        public Builder javaExecutable(String javaExecutable) {
            this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
            return this;
        }

        /**
         * @param environment extra environment variables for the worker processes (added to this
         *     process's environment)
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /**
         * @param fastStartupOptions whether to start workers with the fast-start options (default {@code true}):
         *     {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}. Long-running
         *     CPU-bound calls may prefer the full JIT: turn this off, or pass {@code -XX:TieredStopAtLevel=4}.
         * @return this builder
         */
        public Builder fastStartupOptions(boolean fastStartupOptions) {
            this.fastStartupOptions = fastStartupOptions;
            return this;
        }

        /**
         * The deserialization filter applied on both sides, as a {@link java.io.ObjectInputFilter}
         * pattern (for example {@code "com.acme.**;java.**;!*"}). The default lets every class
         * through except a few well-known gadget classes, and limits depth and references; the JVM-wide
         * filter ({@code jdk.serialFilter}) is consulted for what the pattern leaves undecided.
         *
         * @param pattern the pattern
         * @return this builder
         * @throws IllegalArgumentException if the pattern is malformed
         */
        public Builder serialFilter(String pattern) {
            java.io.ObjectInputFilter.Config.createFilter(Objects.requireNonNull(pattern, "pattern"));
            this.serialFilter = pattern;
            return this;
        }

        /**
         * @param maxMessageSize the largest serialized call, result or exception, in bytes (default
         *     128 MiB); a larger one fails with a message that says so
         * @return this builder
         * @throws IllegalArgumentException if less than 1024
         */
        public Builder maxMessageSize(int maxMessageSize) {
            if (maxMessageSize < 1024) {
                throw new IllegalArgumentException("maxMessageSize must be at least 1024 bytes, got " + maxMessageSize);
            }
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /**
         * @param classPath the workers' class path; default: {@code java.class.path}. A Spring Boot
         *     executable jar is recognised and started through its launcher.
         * @return this builder
         */
        public Builder classPath(String classPath) {
            this.classPath = Objects.requireNonNull(classPath, "classPath");
            return this;
        }

        /**
         * A call running longer than {@code callTimeout} fails with {@link TimeoutError} ("call
         * exceeded its call timeout of 5s") and is stopped as by {@link Future#cancel(boolean)
         * cancel(true)}: the worker process running it prints its thread dump (the JVM's own, on the
         * worker's standard error, which the pool forwards), is killed and replaced, and the calls sent
         * ahead to it go back to the queue. The time runs from when the call starts in its worker.
         * Default: no limit (CPython's).
         *
         * @param callTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeoutNanos = Timeouts.positiveNanos(callTimeout, "callTimeout");
            return this;
        }

        /**
         * What a worker's unexpected death does (killed, {@code System.exit} in a call, a JVM crash,
         * out of memory): {@link WorkerDeathPolicy#BREAK_POOL} (the default, CPython's) or
         * {@link WorkerDeathPolicy#REPLACE_WORKER} (only its running call fails, with
         * {@link TerminatedWorkerError}).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder onWorkerDeath(WorkerDeathPolicy policy) {
            this.onWorkerDeath = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * A worker whose used heap after a call (live objects and garbage not yet collected, as
         * {@code Runtime.totalMemory() - freeMemory()}) exceeds this is replaced: a new worker starts
         * at once, the calls sent ahead to the old one that it has not started go back to the queue,
         * and it exits after the call it runs. Default: no limit.
         *
         * @param bytes at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes <= 0}
         */
        public Builder maxWorkerMemory(long bytes) {
            if (bytes <= 0L) {
                throw new IllegalArgumentException("maxWorkerMemory must be at least 1 byte, got " + bytes);
            }
            this.maxWorkerMemory = bytes;
            return this;
        }

        /**
         * A bound on pending calls (default: none, as in CPython). A submit that finds this many calls
         * pending (accepted, not yet sent to a worker to run) throws
         * {@link java.util.concurrent.RejectedExecutionException} at once, naming the pool and the
         * limit; it never blocks the caller. {@code map} counts each chunk as one pending call; with a
         * {@code buffersize} a map keeps at most that many chunks in flight. Each rejection is published
         * as a {@code CALL_REJECTED} event and counted ({@link io.github.futures.spi.TaskStats#rejectedCount()}).
         *
         * @param maxPending the most pending calls, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPending < 1}
         */
        public Builder maxPending(int maxPending) {
            this.maxPending = PendingLimit.checkMax(maxPending);
            return this;
        }

        /**
         * A worker idle for this long exits, unless only {@link #minWorkers} are left. Default: workers
         * never exit for being idle (CPython's).
         *
         * @param idleTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeoutNanos = Timeouts.positiveNanos(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * Workers the {@link #idleTimeout} never retires; at most {@code maxWorkers}. Default 0.
         *
         * @param minWorkers 0 or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder minWorkers(int minWorkers) {
            if (minWorkers < 0) {
                throw new IllegalArgumentException("minWorkers must be 0 or more, got " + minWorkers);
            }
            this.minWorkers = minWorkers;
            return this;
        }

        /**
         * Whether workers start from the JDK's start-up archive (default {@code true}): on JDK 25 and
         * later an AOT cache ({@code -XX:AOTCache}), on 17 to 24 a class-data sharing archive
         * ({@code -XX:SharedArchiveFile}) with this library's and the JDK's classes as workers use them.
         * The archive is built in the background after a pool's first worker started, by a JVM of its
         * own that trains one worker (so even a program that ends at once leaves it for its next
         * run), kept in {@link #startupArchiveDirectory} under a name made of the JDK build, the
         * worker's options and its class path, and used by every later pool of the same workers. When
         * anything is amiss (a class path with class directories, which the JDK does not archive; a
         * directory that cannot be written; an archive the JVM refuses) workers start as without it,
         * and the reason is logged at {@code DEBUG} ({@code System.Logger}
         * {@code io.github.futures.process.StartupArchive}).
         *
         * @param startupArchive {@code false} to start workers without an archive and write no file
         * @return this builder
         */
        public Builder startupArchive(boolean startupArchive) {
            this.startupArchive = startupArchive;
            return this;
        }

        /**
         * @param directory where start-up archives are kept (default: {@code $XDG_CACHE_HOME/futures/startup}
         *     when that variable is set, else {@code ~/.cache/futures/startup}); created when missing, with
         *     mode {@code rwx------}. Archives are used and built only where no other user could put or swap
         *     one in: the directory and those above it belong to this user or root and only their owner may
         *     write to them (a directory above with the sticky bit, such as {@code /tmp}, or a user private
         *     group, is fine); elsewhere workers start without one
         * @return this builder
         * @see #startupArchive(boolean)
         */
        public Builder startupArchiveDirectory(Path directory) {
            this.startupArchiveDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Gives every call a {@link io.github.futures.spi.CallScope} (default: none), asked for on the
         * submitting thread with {@code CallInfo(<pool name>, "process")}; if {@code intercept} throws,
         * the submit throws that and accepts nothing. The scope's
         * {@link io.github.futures.spi.CallScope#remoteContext() remoteContext()} travels with the call
         * to its worker JVM and is restored there around the call (see the class comment);
         * {@code started()} is called when the call is handed to its worker, {@code ended} exactly once
         * when its future ends (also when its worker dies, cancel(true) ends the worker, or the pool
         * breaks), and {@code ended(refusal, false)} for a refused submit. A {@code map} gets one scope
         * per chunk, and one for the map itself, asked for on the calling thread, inside whose wrap
         * every chunk is submitted (as {@link ThreadPoolExecutor.Builder#callInterceptor} describes).
         *
         * @param callInterceptor the interceptor, or {@code null} for none
         * @return this builder
         */
        public Builder callInterceptor(CallInterceptor callInterceptor) {
            this.callInterceptor = callInterceptor;
            return this;
        }

        /**
         * @return a new pool; no worker starts before the first call
         * @throws IllegalArgumentException if the initializer cannot be serialized, or minWorkers exceeds maxWorkers
         */
        public ProcessPoolExecutor build() {
            return new ProcessPoolExecutor(this);
        }
    }
}
