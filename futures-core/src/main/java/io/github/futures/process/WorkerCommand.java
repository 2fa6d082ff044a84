package io.github.futures.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Builds the command line that starts a worker JVM.
 *
 * <p>Normally {@code java <options> -cp <this library> -Dio.github.futures.worker.classPath=<class
 * path> WorkerMain <args>}: the worker's system class loader holds only this library, and
 * {@link WorkerMain} puts the application's class path on a class loader of its own (see
 * {@link #CLASS_PATH_PROPERTY}). The JDK looks up a {@code System.LoggerFinder} service on the system
 * class path the first time an {@code ObjectInputStream} is made, and that lookup opens every jar on
 * it: with the whole class path on the system loader, a worker of an application of 118 jars took
 * 33 ms more to read its first call, one of 45 jars 15 ms more. When the class path does not hold
 * this library's own jar or directory, or has a wildcard entry, the worker gets it whole with
 * {@code -cp}, as a plain {@code java} command would.
 *
 * <p>When the application runs from a Spring Boot executable jar, {@code java.class.path} is that jar
 * alone and its classes sit under {@code BOOT-INF/}, where a plain {@code -cp} cannot see them; then
 * Boot's {@code PropertiesLauncher} (inside the jar) builds the class loader and calls our main class,
 * named by {@code -Dloader.main}. Nothing here links against Spring. A class path too long for one
 * command-line argument (Linux allows 128 KiB) goes through a {@code @argfile}.
 *
 * <p>Internal: public for the process pool in {@code io.github.futures}; not part of the API.
 */
public final class WorkerCommand {

    static final String BOOT_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

    /**
     * The system property that hands a worker the application's class path when its own
     * {@code -cp} holds only this library; the worker loads application classes from it with a
     * class loader of its own, and sets {@code java.class.path} back to it before any call runs.
     */
    static final String CLASS_PATH_PROPERTY = "io.github.futures.worker.classPath";

    /**
     * Options that make a worker start and finish short calls fast, measured on the seed workload
     * (is_prime over 10^12 .. 10^12+199 with map, two workers, JDK 17, a shared 2-core machine; medians
     * of 7-8 runs, all interleaved): C1 only ({@code -XX:TieredStopAtLevel=1}) cut the workers' CPU time
     * from 420 to 280 ms and the wall time from 1550 to 1217 ms, since C2's warm-up never pays off in
     * short-lived workers; the serial collector cut the wall time further (1160 ms together) and needs
     * the least memory per worker, which suits one busy thread per JVM. {@code -XX:-UsePerfData} and
     * {@code -Xshare} settings made no difference beyond the noise ({@code -Xshare:off} lost), so they
     * are left out: the default class-data sharing stays on and workers stay visible to {@code jps}.
     */
    static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");

    /** Always added, before the user's options (which may override them). */
    static final List<String> SAFETY_OPTIONS = List.of(
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:+DisplayVMOutputToStderr",
            "-Xlog:disable",
            "-Xlog:all=warning:stderr");

    private static final int ARG_LIMIT = 100_000;

    /** The worker's main class, by name: its class literal would load it in the pool's JVM, which never runs it. */
    static final String MAIN_CLASS = "io.github.futures.process.WorkerMain";

    private WorkerCommand() {
    }

    /**
     * All the options a worker JVM gets, in order: the fast-start defaults (when asked for), the
     * safety options, then the user's, which come last and so win.
     *
     * @param fastStartup whether to include {@link #DEFAULT_JVM_OPTIONS}
     * @param userOptions the user's options
     * @return the merged options
     */
    public static List<String> jvmOptions(boolean fastStartup, List<String> userOptions) {
        List<String> options = new ArrayList<>(DEFAULT_JVM_OPTIONS.size() + SAFETY_OPTIONS.size() + userOptions.size());
        if (fastStartup) {
            options.addAll(DEFAULT_JVM_OPTIONS);
        }
        options.addAll(SAFETY_OPTIONS);
        options.addAll(userOptions);
        return List.copyOf(options);
    }

    /**
     * The java executable to start workers with.
     *
     * @param chosen the user's choice, or {@code null} for this JVM's own
     * @return the executable's path
     */
    public static String java(String chosen) {
        return chosen != null ? chosen : currentJava();
    }

    /** The java executable of this JVM. */
    static String currentJava() {
        String home = System.getProperty("java.home");
        File exe = new File(home, "bin" + File.separator + "java");
        File exeWin = new File(home, "bin" + File.separator + "java.exe");
        return (!exe.isFile() && exeWin.isFile() ? exeWin : exe).getPath();
    }

    /**
     * Whether the class path is a Spring Boot executable jar.
     *
     * @param classPath {@code java.class.path}
     */
    static boolean isBootJar(String classPath) {
        if (classPath == null || classPath.isEmpty() || classPath.contains(File.pathSeparator)
                || !classPath.endsWith(".jar")) {
            return false;
        }
        File f = new File(classPath);
        if (!f.isFile()) {
            return false;
        }
        try (JarFile jar = new JarFile(f)) {
            return jar.getEntry("BOOT-INF/") != null || jar.getEntry("BOOT-INF/classes/") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The full command.
     *
     * @param java the java executable
     * @param jvmOptions the options before the main class (defaults and the user's)
     * @param classPath the class path
     * @param workerArgs the worker's own arguments
     * @param argFileDir where to put an argfile for a long class path
     * @return the command
     */
    public static List<String> build(String java, List<String> jvmOptions, String classPath, List<String> workerArgs,
                              Path argFileDir) {
        return build(java, jvmOptions, classPath, workerArgs, argFileDir, libraryLocation());
    }

    /**
     * The full command, with this library at {@code library}.
     *
     * @param library this library's jar or class directory, or {@code null} when unknown
     */
    static List<String> build(String java, List<String> jvmOptions, String classPath, List<String> workerArgs,
                              Path argFileDir, String library) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        boolean boot = isBootJar(classPath);
        if (!boot && library != null && holds(classPath, library)) {
            cmd.add("-cp");
            cmd.add(library);
            String property = "-D" + CLASS_PATH_PROPERTY + "=" + classPath;
            cmd.add(property.length() > ARG_LIMIT ? "@" + argFile(List.of(property), argFileDir) : property);
            cmd.add(MAIN_CLASS);
            cmd.addAll(workerArgs);
            return cmd;
        }
        if (classPath != null && classPath.length() > ARG_LIMIT) {
            cmd.add("@" + argFile(List.of("-cp", classPath), argFileDir));
        } else if (classPath != null && !classPath.isEmpty()) {
            cmd.add("-cp");
            cmd.add(classPath);
        }
        if (boot) {
            cmd.add("-Dloader.main=" + MAIN_CLASS);
            cmd.add(BOOT_LAUNCHER);
        } else {
            cmd.add(MAIN_CLASS);
        }
        cmd.addAll(workerArgs);
        return cmd;
    }

    /**
     * This library's jar or class directory, as a file path; {@code null} when it is not a file (a
     * nested jar, say) or cannot be told.
     */
    static String libraryLocation() {
        try {
            CodeSource source = WorkerCommand.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
                return null;
            }
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether a class path names {@code library} and no wildcard (which only the java launcher
     * expands).
     */
    static boolean holds(String classPath, String library) {
        if (classPath == null || classPath.isEmpty()) {
            return false;
        }
        try {
            Path lib = Path.of(library).toAbsolutePath().normalize();
            boolean found = false;
            for (String entry : classPath.split(File.pathSeparator, -1)) {
                if (entry.endsWith("*")) {
                    return false;
                }
                if (!entry.isEmpty() && Path.of(entry).toAbsolutePath().normalize().equals(lib)) {
                    found = true;
                }
            }
            return found;
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static String argFile(List<String> args, Path dir) {
        try {
            Path f = dir == null ? Files.createTempFile("futures-worker-cp", ".args")
                    : Files.createTempFile(dir, "futures-worker-cp", ".args");
            f.toFile().deleteOnExit();
            // java's argfile syntax: quote each argument and escape backslashes and quotes.
            StringBuilder text = new StringBuilder();
            for (String arg : args) {
                text.append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
            }
            Files.writeString(f, text, StandardCharsets.UTF_8);
            return f.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an argfile for the worker class path", e);
        }
    }
}
