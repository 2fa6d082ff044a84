package io.github.futures.autoconfigure;

import io.github.futures.WorkerDeathPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of the futures executors, under the prefix {@code futures}.
 *
 * <pre>{@code
 * futures:
 *   thread:
 *     max-workers: 16
 *   shutdown:
 *     timeout: 30s
 *   executors:
 *     reports:
 *       kind: process
 *       max-workers: 2
 * }</pre>
 *
 * @since 0.1.0
 */
@ConfigurationProperties("futures")
public class FuturesProperties {

    /** Whether the futures auto-configuration applies at all. */
    private boolean enabled = true;

    private final Thread thread = new Thread();

    private final Process process = new Process();

    private final Shutdown shutdown = new Shutdown();

    private final Async async = new Async();

    private final Metrics metrics = new Metrics();

    private final Events events = new Events();

    private final Web web = new Web();

    private final Health health = new Health();

    /**
     * Whether every call of every pool carries the submitting thread's context: Micrometer's ContextSnapshot
     * (the current observation and span, and every registered ThreadLocalAccessor) and the MDC, restored around
     * the call on a pool thread; the MDC and the current trace (W3C traceparent) sent with the call to a worker
     * JVM or a cluster member. Has effect when io.micrometer:context-propagation is on the class path.
     */
    private boolean propagateContext = true;

    private final Observations observations = new Observations();

    /** Additional named pools, one bean per entry, called by the entry's name. */
    private Map<String, NamedExecutor> executors = new LinkedHashMap<>();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isPropagateContext() {
        return this.propagateContext;
    }

    public void setPropagateContext(boolean propagateContext) {
        this.propagateContext = propagateContext;
    }

    public Observations getObservations() {
        return this.observations;
    }

    public Thread getThread() {
        return this.thread;
    }

    public Process getProcess() {
        return this.process;
    }

    public Shutdown getShutdown() {
        return this.shutdown;
    }

    public Async getAsync() {
        return this.async;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    public Events getEvents() {
        return this.events;
    }

    public Web getWeb() {
        return this.web;
    }

    public Health getHealth() {
        return this.health;
    }

    public Map<String, NamedExecutor> getExecutors() {
        return this.executors;
    }

    public void setExecutors(Map<String, NamedExecutor> executors) {
        this.executors = executors;
    }

    /** The JDK's start-up archive of a process pool's workers. */
    public static class StartupArchive {

        /**
         * Whether workers start from the JDK's start-up archive, built in the background after the
         * pool's first start and kept per user; skipped silently when the JDK cannot use one.
         */
        private boolean enabled = true;

        /**
         * Where archives are kept. Default: $XDG_CACHE_HOME/futures/startup, else ~/.cache/futures/startup.
         * It must be writable by this user only (and the directories above it, but for sticky ones such
         * as /tmp): elsewhere no archive is used or built.
         */
        private Path directory;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Path getDirectory() {
            return this.directory;
        }

        public void setDirectory(Path directory) {
            this.directory = directory;
        }
    }

    /** The thread pool bean, {@code futuresThreadPool}. */
    public static class Thread {

        /** Whether to create the thread pool bean. */
        private boolean enabled = true;

        /**
         * Maximum number of worker threads. Default: five per available processor, the core
         * library's default for pools of calls that mostly wait.
         */
        private Integer maxWorkers;

        /** Prefix of the worker threads' names; threads are named "<prefix>_<n>". */
        private String threadNamePrefix = "futures-thread";

        /**
         * A call running longer fails with TimeoutError and its thread is interrupted (a call that
         * ignores the interrupt is abandoned). Default: no limit.
         */
        private Duration callTimeout;

        /**
         * Most calls pending (accepted, not started); a submit beyond is refused at once with
         * RejectedExecutionException. Default: no limit.
         */
        private Integer maxPending;

        /**
         * Whether calls run on virtual threads (JDK 21 or later), still at most max-workers at once.
         * Default: on when "spring.threads.virtual.enabled" is true and the JVM has virtual threads.
         */
        private Boolean virtual;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Integer getMaxWorkers() {
            return this.maxWorkers;
        }

        public void setMaxWorkers(Integer maxWorkers) {
            this.maxWorkers = maxWorkers;
        }

        public String getThreadNamePrefix() {
            return this.threadNamePrefix;
        }

        public void setThreadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
        }

        public Duration getCallTimeout() {
            return this.callTimeout;
        }

        public void setCallTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        public Integer getMaxPending() {
            return this.maxPending;
        }

        public void setMaxPending(Integer maxPending) {
            this.maxPending = maxPending;
        }

        public Boolean getVirtual() {
            return this.virtual;
        }

        public void setVirtual(Boolean virtual) {
            this.virtual = virtual;
        }
    }

    /**
     * The options of a process pool, the same for the default pool ({@code futures.process}) and a named
     * one ({@code futures.executors.<name>}): one property per {@code ProcessPoolExecutor.Builder} option
     * that a property can carry (the initializer is code: set it with a {@code ProcessPoolExecutorCustomizer}).
     */
    public abstract static class ProcessOptions {

        /** Maximum number of worker processes. Default: one per available processor. */
        private Integer maxWorkers;

        /** Number of calls after which a worker process is replaced by a fresh one. Default: never. */
        private Integer maxTasksPerChild;

        /**
         * Extra JVM options for the worker processes, such as "-Xmx256m". Each entry is an option: it starts
         * with "-" (or names an "@argfile"), or is the value of the option before it ("--add-opens",
         * "--add-exports", "--add-modules", ...).
         */
        private List<String> jvmArgs = new ArrayList<>();

        /** Path of the java executable that starts the worker processes. Default: this JVM's own. */
        private String javaExecutable;

        /** Extra environment variables of the worker processes, added to this process's environment. */
        private Map<String, String> environment = new LinkedHashMap<>();

        /**
         * Deserialization filter of what crosses the process boundary, as a java.io.ObjectInputFilter
         * pattern such as "com.acme.**;java.**;!*". Default: every class except a few well-known gadget
         * classes, with limits on depth and references.
         */
        private String serialFilter;

        /** Largest serialized call, result or exception that may cross the process boundary. */
        private DataSize maxMessageSize = DataSize.ofMegabytes(128);

        /**
         * Whether the worker processes start with options that favour a fast start
         * ("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"); "jvm-args" come after them and win.
         */
        private boolean fastStartupOptions = true;

        /** Class path of the worker processes. Default: this JVM's, a Spring Boot executable jar included. */
        private String classPath;

        /**
         * Whether to start one worker process when the application context is refreshed, so that a
         * bad "java-executable" or "jvm-args" fails start-up instead of the first call.
         */
        private boolean validateOnStartup = true;

        /**
         * Whether to start all worker processes when the application context is refreshed, in the
         * background, so that the first calls find them warm instead of waiting for JVMs to start.
         */
        private boolean prestart;

        /**
         * A call running longer fails with TimeoutError and is stopped: a thread pool interrupts it, a
         * process pool logs the worker's thread dump, then kills and replaces the worker. Default: no limit.
         */
        private Duration callTimeout;

        /**
         * Most calls pending (accepted, not started); a submit beyond is refused at once with
         * RejectedExecutionException; a chunk of a map counts as one. Default: no limit.
         */
        private Integer maxPending;

        /**
         * What a worker process's unexpected death does: "break-pool" (CPython's: every pending call
         * fails) or "replace-worker" (only the call it ran fails, with TerminatedWorkerError).
         */
        private WorkerDeathPolicy onWorkerDeath = WorkerDeathPolicy.BREAK_POOL;

        /** A worker process whose used heap after a call exceeds this is replaced. Default: no limit. */
        private DataSize maxWorkerMemory;

        /** Idle worker processes above "min-workers" exit after this long. Default: they stay. */
        private Duration idleTimeout;

        /** Worker processes that "idle-timeout" never retires. */
        private Integer minWorkers = 0;

        /** The JDK's start-up archive for the worker JVMs (AOT cache on JDK 25+, class-data sharing on 17-24). */
        private final StartupArchive startupArchive = new StartupArchive();

        public StartupArchive getStartupArchive() {
            return this.startupArchive;
        }

        public Integer getMaxWorkers() {
            return this.maxWorkers;
        }

        public void setMaxWorkers(Integer maxWorkers) {
            this.maxWorkers = maxWorkers;
        }

        public Integer getMaxTasksPerChild() {
            return this.maxTasksPerChild;
        }

        public void setMaxTasksPerChild(Integer maxTasksPerChild) {
            this.maxTasksPerChild = maxTasksPerChild;
        }

        public List<String> getJvmArgs() {
            return this.jvmArgs;
        }

        public void setJvmArgs(List<String> jvmArgs) {
            this.jvmArgs = jvmArgs;
        }

        public String getJavaExecutable() {
            return this.javaExecutable;
        }

        public void setJavaExecutable(String javaExecutable) {
            this.javaExecutable = javaExecutable;
        }

        public Map<String, String> getEnvironment() {
            return this.environment;
        }

        public void setEnvironment(Map<String, String> environment) {
            this.environment = environment;
        }

        public String getSerialFilter() {
            return this.serialFilter;
        }

        public void setSerialFilter(String serialFilter) {
            this.serialFilter = serialFilter;
        }

        public DataSize getMaxMessageSize() {
            return this.maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        public boolean isFastStartupOptions() {
            return this.fastStartupOptions;
        }

        public void setFastStartupOptions(boolean fastStartupOptions) {
            this.fastStartupOptions = fastStartupOptions;
        }

        public String getClassPath() {
            return this.classPath;
        }

        public void setClassPath(String classPath) {
            this.classPath = classPath;
        }

        public boolean isValidateOnStartup() {
            return this.validateOnStartup;
        }

        public void setValidateOnStartup(boolean validateOnStartup) {
            this.validateOnStartup = validateOnStartup;
        }

        public boolean isPrestart() {
            return this.prestart;
        }

        public void setPrestart(boolean prestart) {
            this.prestart = prestart;
        }

        public Duration getCallTimeout() {
            return this.callTimeout;
        }

        public void setCallTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        public Integer getMaxPending() {
            return this.maxPending;
        }

        public void setMaxPending(Integer maxPending) {
            this.maxPending = maxPending;
        }

        public WorkerDeathPolicy getOnWorkerDeath() {
            return this.onWorkerDeath;
        }

        public void setOnWorkerDeath(WorkerDeathPolicy onWorkerDeath) {
            this.onWorkerDeath = onWorkerDeath;
        }

        public DataSize getMaxWorkerMemory() {
            return this.maxWorkerMemory;
        }

        public void setMaxWorkerMemory(DataSize maxWorkerMemory) {
            this.maxWorkerMemory = maxWorkerMemory;
        }

        public Duration getIdleTimeout() {
            return this.idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Integer getMinWorkers() {
            return this.minWorkers;
        }

        public void setMinWorkers(Integer minWorkers) {
            this.minWorkers = minWorkers;
        }
    }

    /** The process pool bean, {@code futuresProcessPool}. Its workers start lazily, on first use. */
    public static class Process extends ProcessOptions {

        /** Whether to create the process pool bean (its worker JVMs still start only when work arrives). */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** What happens to the pools when the application context closes. */
    public static class Shutdown {

        /** Whether closing the context waits for the calls already accepted to finish. */
        private boolean wait = true;

        /** Whether closing the context cancels the calls that have not started yet. */
        private boolean cancelFutures = false;

        /**
         * Maximum time to wait for each pool on close. Past it, pending calls are cancelled, running
         * worker threads are interrupted, worker processes are terminated and then killed, and what
         * was abandoned is logged. Bounded by default, so that a call that never ends cannot hold the
         * application's stop for ever: 30s is Spring Boot's own default per shutdown phase
         * (spring.lifecycle.timeout-per-shutdown-phase).
         */
        private Duration timeout = Duration.ofSeconds(30);

        /**
         * How often, while the shutdown waits for a pool, to log how many calls it still waits for.
         * A few seconds: often enough to see progress in a stop that takes half a minute, rare
         * enough not to flood the log.
         */
        private Duration logInterval = Duration.ofSeconds(5);

        public boolean isWait() {
            return this.wait;
        }

        public void setWait(boolean wait) {
            this.wait = wait;
        }

        public boolean isCancelFutures() {
            return this.cancelFutures;
        }

        public void setCancelFutures(boolean cancelFutures) {
            this.cancelFutures = cancelFutures;
        }

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getLogInterval() {
            return this.logInterval;
        }

        public void setLogInterval(Duration logInterval) {
            this.logInterval = logInterval;
        }
    }

    /** Spring's asynchronous execution ({@code @Async}, MVC async requests). */
    public static class Async {

        /**
         * Whether @Async methods and Spring MVC async requests run on the thread pool bean, which then
         * replaces Spring Boot's "applicationTaskExecutor".
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Micrometer observations of the pools' calls (needs micrometer-observation and an ObservationRegistry bean). */
    public static class Observations {

        /**
         * Whether each call is an Observation named "futures.call" (keys pool, kind, outcome), a child of the
         * submitter's current observation, with its queue wait and execution time.
         */
        private boolean enabled = false;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Micrometer meters of the pools (needs Micrometer and a MeterRegistry bean). */
    public static class Metrics {

        /** Whether to bind the executor meters of every pool to the meter registry. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The pools' events (worker started, died, replaced; call timed out or rejected; shutdown phases). */
    public static class Events {

        /**
         * Maximum number of events kept for the futuresevents endpoint, all pools together; the oldest
         * are dropped first. 256 holds a few restarts' worth of worker events at a few hundred bytes each.
         */
        private int capacity = 256;

        public int getCapacity() {
            return this.capacity;
        }

        public void setCapacity(int capacity) {
            this.capacity = capacity;
        }
    }

    /** The pools' failures as HTTP answers. */
    public static class Web {

        private final Errors errors = new Errors();

        public Errors getErrors() {
            return this.errors;
        }
    }

    /** Answers for the pools' failures in Spring MVC controllers. */
    public static class Errors {

        /**
         * Whether a pool's rejection (RejectedExecutionException) and a broken pool answer 503, and a
         * TimeoutError answers 504, each as an RFC 9457 problem detail; the application's own
         * exception handlers win.
         */
        private boolean enabled = false;

        /**
         * The Retry-After of a 503 for a rejected call, rounded up to whole seconds (at least 1). A
         * full queue drains in the time of its calls: a few seconds, not minutes.
         */
        private Duration retryAfter = Duration.ofSeconds(5);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getRetryAfter() {
            return this.retryAfter;
        }

        public void setRetryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
        }
    }

    /** The pools' health. */
    public static class Health {

        /**
         * Whether the futures health contributor is part of the liveness group: a broken pool (which
         * cannot heal without a rebuild) then turns /actuator/health/liveness DOWN, so that the
         * platform restarts the application.
         */
        private boolean liveness = false;

        public boolean isLiveness() {
            return this.liveness;
        }

        public void setLiveness(boolean liveness) {
            this.liveness = liveness;
        }
    }

    /** Shutdown rules of one named pool; unset values are those of futures.shutdown. */
    public static class NamedShutdown {

        /**
         * Whether closing the context cancels this pool's calls that have not started yet, before
         * the other pools drain: set it for pools of batch work. Default: futures.shutdown.cancel-futures.
         */
        private Boolean cancelFutures;

        /** Maximum time to wait for this pool on close. Default: futures.shutdown.timeout. */
        private Duration timeout;

        public Boolean getCancelFutures() {
            return this.cancelFutures;
        }

        public void setCancelFutures(Boolean cancelFutures) {
            this.cancelFutures = cancelFutures;
        }

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** The kinds of named pools. */
    public enum Kind {
        /** A {@code ThreadPoolExecutor}. */
        THREAD,
        /** A {@code ProcessPoolExecutor}. */
        PROCESS
    }

    /**
     * One named pool, {@code futures.executors.<name>}. The process options apply to process pools only,
     * "virtual" and "thread-name-prefix" to thread pools only (one of the other kind fails start-up, since
     * the pool would ignore it); "max-workers", "call-timeout", "max-pending" and "shutdown" to both kinds.
     */
    public static class NamedExecutor extends ProcessOptions {

        /** Kind of pool: "thread" or "process". */
        private Kind kind;

        /** Whether a thread pool's calls run on virtual threads (JDK 21 or later). Default: false. */
        private Boolean virtual;

        /** Prefix of the worker threads' names (thread pools). Default: the pool's name. */
        private String threadNamePrefix;

        private final NamedShutdown shutdown = new NamedShutdown();

        public NamedShutdown getShutdown() {
            return this.shutdown;
        }

        public Kind getKind() {
            return this.kind;
        }

        public void setKind(Kind kind) {
            this.kind = kind;
        }

        public Boolean getVirtual() {
            return this.virtual;
        }

        public void setVirtual(Boolean virtual) {
            this.virtual = virtual;
        }

        public String getThreadNamePrefix() {
            return this.threadNamePrefix;
        }

        public void setThreadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
        }
    }
}
