package io.github.futures;

import io.github.futures.process.WorkerCommand;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pool is made of; validated by the executor's builder.
 *
 * @param maxWorkers maximum number of worker processes
 * @param initializer run once in each worker, or {@code null}
 * @param maxTasksPerChild calls per worker before it is replaced, or 0 for no limit
 * @param javaExecutable the java executable, or {@code null} for this JVM's own
 * @param jvmOptions the user's options for the worker JVMs (see {@link WorkerCommand#jvmOptions})
 * @param fastStartupOptions whether workers get the fast-start options before the user's
 * @param environment extra environment variables
 * @param serialFilter the deserialization filter pattern, or {@code null} for the default
 * @param maxMessageSize the largest serialized task, result or exception, in bytes
 * @param classPath the worker's class path
 * @param loader resolves classes of results and exceptions in this JVM
 * @param startupArchive whether workers use (and the pool builds) the JDK's start-up archive
 * @param startupArchiveDirectory where archives are kept, or {@code null} for the per-user cache
 * @param name the pool's name, which its threads and forwarded worker lines carry, or {@code null} for
 *     {@code ProcessPoolExecutor-<k>}
 */
record ProcessPoolConfig(int maxWorkers, Runnable initializer, int maxTasksPerChild, String javaExecutable,
                     List<String> jvmOptions, boolean fastStartupOptions, Map<String, String> environment,
                     String serialFilter, int maxMessageSize, String classPath, ClassLoader loader,
                     boolean startupArchive, Path startupArchiveDirectory, String name) {

    /** A configuration whose pool gets the default name. */
    ProcessPoolConfig(int maxWorkers, Runnable initializer, int maxTasksPerChild, String javaExecutable,
                  List<String> jvmOptions, boolean fastStartupOptions, Map<String, String> environment,
                  String serialFilter, int maxMessageSize, String classPath, ClassLoader loader,
                  boolean startupArchive, Path startupArchiveDirectory) {
        this(maxWorkers, initializer, maxTasksPerChild, javaExecutable, jvmOptions, fastStartupOptions, environment,
                serialFilter, maxMessageSize, classPath, loader, startupArchive, startupArchiveDirectory, null);
    }

    /** A configuration without start-up archives. */
    ProcessPoolConfig(int maxWorkers, Runnable initializer, int maxTasksPerChild, String javaExecutable,
                  List<String> jvmOptions, boolean fastStartupOptions, Map<String, String> environment,
                  String serialFilter, int maxMessageSize, String classPath, ClassLoader loader) {
        this(maxWorkers, initializer, maxTasksPerChild, javaExecutable, jvmOptions, fastStartupOptions, environment,
                serialFilter, maxMessageSize, classPath, loader, false, null);
    }

    /**
     * The configuration a builder describes: the class path defaults to this JVM's, classes of
     * results resolve through the caller's context class loader.
     *
     * @throws IllegalArgumentException if {@code minWorkers} exceeds {@code maxWorkers}
     */
    static ProcessPoolConfig of(ProcessPoolExecutor.Builder b) {
        String classPath = b.classPath != null ? b.classPath : System.getProperty("java.class.path", "");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ProcessPoolExecutor.class.getClassLoader();
        }
        if (b.minWorkers > b.maxWorkers) {
            throw new IllegalArgumentException("minWorkers (" + b.minWorkers + ") must not exceed maxWorkers ("
                    + b.maxWorkers + "); lower minWorkers or raise maxWorkers");
        }
        return new ProcessPoolConfig(b.maxWorkers, b.initializer, b.maxTasksPerChild,
                b.javaExecutable, b.jvmArgs, b.fastStartupOptions, b.environment, b.serialFilter, b.maxMessageSize,
                classPath, loader, b.startupArchive, b.startupArchiveDirectory, b.threadNamePrefix);
    }

    /** The recovery options a builder describes. */
    static RecoveryOptions recoveryOf(ProcessPoolExecutor.Builder b) {
        return new RecoveryOptions(b.callTimeoutNanos, b.onWorkerDeath == WorkerDeathPolicy.REPLACE_WORKER,
                b.maxWorkerMemory, b.idleTimeoutNanos, b.minWorkers);
    }

    /**
     * The executor's {@code config()} as built: "none" (or "unbounded") where the builder has no limit,
     * since 0 is not a value the builder (or a property) accepts.
     */
    static Map<String, Object> describe(ProcessPoolExecutor.Builder b, ProcessPool pool) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("maxWorkers", b.maxWorkers);
        cfg.put("threadNamePrefix", pool.name());
        cfg.put("maxTasksPerChild", b.maxTasksPerChild == 0 ? "none" : b.maxTasksPerChild);
        cfg.put("initializer", b.initializer != null);
        cfg.put("javaExecutable", pool.command().get(0));
        cfg.put("jvmOptions", pool.jvmOptions());
        cfg.put("environment", List.copyOf(b.environment.keySet()));
        cfg.put("serialFilter", b.serialFilter == null ? "default" : b.serialFilter);
        cfg.put("maxMessageSize", b.maxMessageSize);
        cfg.put("callTimeout", b.callTimeoutNanos == 0L ? "none" : WorkerRecycler.format(b.callTimeoutNanos));
        cfg.put("onWorkerDeath", b.onWorkerDeath.name());
        cfg.put("maxWorkerMemory", b.maxWorkerMemory == 0L ? "none" : b.maxWorkerMemory);
        cfg.put("idleTimeout", b.idleTimeoutNanos == 0L ? "none" : WorkerRecycler.format(b.idleTimeoutNanos));
        cfg.put("minWorkers", b.minWorkers);
        cfg.put("maxPending", b.maxPending > 0 ? b.maxPending : "unbounded");
        cfg.put("startupArchive", b.startupArchive);
        return Map.copyOf(cfg);
    }
}
