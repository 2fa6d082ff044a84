package io.github.futures;

import io.github.futures.process.WorkerCommand;
import java.nio.file.Path;
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
}
