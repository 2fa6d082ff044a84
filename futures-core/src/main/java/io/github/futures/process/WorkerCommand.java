package io.github.futures.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Builds the command line that starts a worker JVM.
 *
 * <p>Normally {@code java <options> -cp <java.class.path> WorkerMain <args>}. When the application
 * runs from a Spring Boot executable jar, {@code java.class.path} is that jar alone and its classes
 * sit under {@code BOOT-INF/}, where a plain {@code -cp} cannot see them; then Boot's
 * {@code PropertiesLauncher} (inside the jar) builds the class loader and calls our main class,
 * named by {@code -Dloader.main}. Nothing here links against Spring. A class path too long for one
 * command-line argument (Linux allows 128 KiB) goes through a {@code @argfile}.
 */
final class WorkerCommand {

    static final String BOOT_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

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

    private WorkerCommand() {
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
     */
    static List<String> build(String java, List<String> jvmOptions, String classPath, List<String> workerArgs,
                              Path argFileDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        boolean boot = isBootJar(classPath);
        if (classPath != null && classPath.length() > ARG_LIMIT) {
            cmd.add("@" + argFile(classPath, argFileDir));
        } else if (classPath != null && !classPath.isEmpty()) {
            cmd.add("-cp");
            cmd.add(classPath);
        }
        if (boot) {
            cmd.add("-Dloader.main=" + WorkerMain.class.getName());
            cmd.add(BOOT_LAUNCHER);
        } else {
            cmd.add(WorkerMain.class.getName());
        }
        cmd.addAll(workerArgs);
        return cmd;
    }

    private static String argFile(String classPath, Path dir) {
        try {
            Path f = dir == null ? Files.createTempFile("futures-worker-cp", ".args")
                    : Files.createTempFile(dir, "futures-worker-cp", ".args");
            f.toFile().deleteOnExit();
            // java's argfile syntax: quote the value and escape backslashes and quotes.
            String quoted = "\"" + classPath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            Files.writeString(f, "-cp\n" + quoted + "\n", StandardCharsets.UTF_8);
            return f.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an argfile for the worker class path", e);
        }
    }
}
