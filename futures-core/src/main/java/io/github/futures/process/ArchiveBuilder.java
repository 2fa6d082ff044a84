package io.github.futures.process;

import java.io.File;
import java.io.Serializable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The main class of the JVM that builds a pool's start-up archive ({@link StartupArchive}), detached
 * from the pool's JVM, so that a short program still leaves an archive for its next run. Not for
 * application code.
 *
 * <pre>
 *  lock file ──▶ training worker JVM (the worker's own command, plus -XX:ArchiveClassesAtExit / AOTCacheOutput
 *                 = a temporary file), fed a few calls, map chunks, a failing call, then EXIT
 *            ──▶ a JVM maps the temporary file with -Xshare:on / -XX:AOTMode=on (fails if unusable)
 *            ──▶ atomic rename to worker-&lt;jdk&gt;-&lt;key&gt;-&lt;size&gt;.jsa|.aot ──▶ lock file deleted
 * </pre>
 *
 * <p>Arguments: the cache directory, the archive's name, the worker JDK's feature version, {@code --},
 * then the worker's command. What it does goes to its standard output and error, which the pool sends
 * to {@code <name>.log} beside the archive. A failure leaves {@code <name>.failed} with the reason.
 */
public final class ArchiveBuilder {

    /** How long a training run and its archive may take (an AOT cache is assembled in a second JVM). */
    static final long TRAINING_LIMIT_SECONDS = 300;

    private ArchiveBuilder() {
    }

    /**
     * The command that starts a builder for {@code workerCommand}: the worker's java and class path
     * (from a Spring Boot executable jar, through its launcher), fast-start options.
     *
     * @param workerCommand the worker's command (it has {@code -cp})
     * @param dir the cache directory
     * @param name the archive's name
     * @param feature the worker JDK's feature version
     * @return the command
     */
    static List<String> command(List<String> workerCommand, File dir, String name, int feature) {
        int cp = workerCommand.indexOf("-cp");
        List<String> cmd = new ArrayList<>();
        cmd.add(workerCommand.get(0));
        cmd.addAll(WorkerCommand.DEFAULT_JVM_OPTIONS);
        cmd.add("-Xlog:disable");
        cmd.add("-Xlog:all=warning:stderr");
        cmd.add("-cp");
        cmd.add(workerCommand.get(cp + 1));
        if (workerCommand.contains(WorkerCommand.BOOT_LAUNCHER)) {
            cmd.add("-Dloader.main=" + ArchiveBuilder.class.getName());
            cmd.add(WorkerCommand.BOOT_LAUNCHER);
        } else {
            cmd.add(ArchiveBuilder.class.getName());
        }
        cmd.add(dir.getPath());
        cmd.add(name);
        cmd.add(Integer.toString(feature));
        cmd.add("--");
        cmd.addAll(workerCommand);
        return cmd;
    }

    /**
     * Builds one archive.
     *
     * @param args directory, name, feature version, {@code --}, the worker's command
     */
    public static void main(String[] args) {
        if (args.length < 6 || !"--".equals(args[3])) {
            System.err.println("usage: ArchiveBuilder <directory> <name> <jdk feature version> -- <worker command...>");
            System.exit(2);
        }
        File dir = new File(args[0]);
        String name = args[1];
        int feature = Integer.parseInt(args[2]);
        List<String> worker = List.of(Arrays.copyOfRange(args, 4, args.length));
        File lock = new File(dir, name + ".lock");
        try {
            if (!lock.createNewFile()) {
                if (System.currentTimeMillis() - lock.lastModified() < StartupArchive.STALE_LOCK_MS || !lock.delete()
                        || !lock.createNewFile()) {
                    System.out.println("another builder is at work on " + name + "; nothing to do");
                    return;
                }
            }
        } catch (IOException e) {
            System.out.println("cannot create " + lock + ": " + e);
            System.exit(1);
        }
        int status = 0;
        try {
            String failure = build(dir, name, feature, worker);
            if (failure != null) {
                System.out.println("failed: " + failure);
                Files.writeString(new File(dir, name + ".failed").toPath(), failure + System.lineSeparator(),
                        StandardCharsets.UTF_8);
                status = 1;
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("failed: " + e);
            status = 1;
        } finally {
            lock.delete();
        }
        System.exit(status);
    }

    /** Trains, checks and renames; returns why it failed, or {@code null}. */
    static String build(File dir, String name, int feature, List<String> worker) throws IOException {
        StartupArchive.Plan plan = new StartupArchive.Plan(null, dir, name, feature);
        if (StartupArchive.find(plan) != null) {
            System.out.println("the archive exists already");
            return null;
        }
        deleteStale(dir, name);
        File tmp = new File(dir, name + "." + ProcessHandle.current().pid() + ".tmp" + plan.extension());
        try {
            String trouble = train(StartupArchive.withOptions(withoutLogging(worker),
                    StartupArchive.createOptions(feature, tmp)));
            if (trouble != null) {
                return trouble;
            }
            if (tmp.length() == 0L) {
                return "the training JVM wrote no archive (" + tmp + "); see " + name + ".log";
            }
            int verified = run(verifyCommand(worker, feature, tmp));
            if (verified != 0) {
                return "a JVM could not use the archive it made (exit code " + verified + "); see " + name + ".log";
            }
            File done = new File(dir, name + "-" + tmp.length() + plan.extension());
            Files.move(tmp.toPath(), done.toPath(), StandardCopyOption.ATOMIC_MOVE);
            System.out.println("built " + done);
            return null;
        } finally {
            tmp.delete();
            new File(tmp.getPath() + ".config").delete(); // JDK 25's training record, if left
        }
    }

    /** Runs the training worker on a few calls of each kind, then EXIT; returns trouble or {@code null}. */
    private static String train(List<String> command) throws IOException {
        System.out.println("training: " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = p.getOutputStream(); InputStream out = p.getInputStream()) {
            in.write(trainingFrames());
            in.flush();
            out.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            System.out.println("the training worker stopped reading: " + e);
        }
        try {
            if (!p.waitFor(TRAINING_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "the training JVM took more than " + TRAINING_LIMIT_SECONDS + " s";
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            return "interrupted";
        }
        return p.exitValue() == 0 ? null : "the training JVM exited with code " + p.exitValue();
    }

    /** What a worker gets in its first seconds: calls, map chunks of numbers and strings, a failure. */
    static byte[] trainingFrames() {
        // JDK interfaces only (this package uses nothing of io.github.futures): the worker sees what a
        // SerializableCallable or SerializableFunction would give it, a serialized lambda of Callable or Function
        Frames frames = new Frames(Wire.DEFAULT_MAX_MESSAGE_SIZE, null, ArchiveBuilder.class.getClassLoader(), null);
        List<byte[]> all = new ArrayList<>();
        long id = 0L;
        all.add(frames.task((Callable<String> & Serializable) ArchiveBuilder::hello, ++id));
        all.add(frames.map((Function<Long, Boolean> & Serializable) ArchiveBuilder::odd, List.of(1L, 2L, 3L, 4L), ++id));
        all.add(frames.map((Function<Object, String> & Serializable) ArchiveBuilder::text, List.of(1, "two", 3.0, true), ++id));
        all.add(frames.task((Callable<List<Object>> & Serializable) ArchiveBuilder::list, ++id));
        all.add(frames.task((Callable<String> & Serializable) ArchiveBuilder::fail, ++id));
        all.add(Frames.EXIT);
        int size = 0;
        for (byte[] f : all) {
            size += f.length;
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (byte[] f : all) {
            System.arraycopy(f, 0, bytes, at, f.length);
            at += f.length;
        }
        return bytes;
    }

    static String hello() {
        return "hello";
    }

    static boolean odd(long n) {
        return (n & 1L) == 1L;
    }

    static String text(Object o) {
        return String.valueOf(o);
    }

    static List<Object> list() {
        return new ArrayList<>(List.of("a", 1, 2L, new java.util.HashMap<>(java.util.Map.of("k", "v"))));
    }

    static String fail() {
        throw new IllegalStateException("a failing call, for the start-up archive");
    }

    /** A JVM that maps the archive and fails if it cannot ({@code -Xshare:on}, {@code -XX:AOTMode=on}). */
    static List<String> verifyCommand(List<String> worker, int feature, File archive) {
        int cp = worker.indexOf("-cp");
        List<String> cmd = new ArrayList<>(withoutLogging(worker.subList(0, cp)));
        cmd.addAll(StartupArchive.useOptions(feature, archive));
        cmd.add(feature >= 25 ? "-XX:AOTMode=on" : "-Xshare:on");
        cmd.add("-cp");
        cmd.add(worker.get(cp + 1));
        cmd.add("-version");
        return cmd;
    }

    /**
     * The command with the worker's own logging options only: a user's {@code -Xlog} may write to a
     * file of theirs, and the JVM's warnings must not reach standard output, the protocol channel.
     */
    static List<String> withoutLogging(List<String> command) {
        List<String> c = new ArrayList<>(command.size());
        for (String a : command) {
            if (!a.startsWith("-Xlog")) {
                c.add(a);
            }
        }
        c.addAll(1, List.of("-Xlog:disable", "-Xlog:all=warning:stderr"));
        return c;
    }

    private static int run(List<String> command) throws IOException {
        System.out.println("checking: " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            return -1;
        }
    }

    /** Deletes temporary files of this archive left by builders that died. */
    private static void deleteStale(File dir, String name) {
        String[] names = dir.list();
        if (names == null) {
            return;
        }
        long now = System.currentTimeMillis();
        for (String n : names) {
            File f = new File(dir, n);
            if (n.startsWith(name + ".") && n.contains(".tmp") && now - f.lastModified() > StartupArchive.STALE_LOCK_MS) {
                f.delete();
            }
        }
    }
}
