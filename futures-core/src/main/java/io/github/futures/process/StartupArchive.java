package io.github.futures.process;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDK's own start-up archive for a pool's workers: found and used when it exists, built in the
 * background when it does not. Internal.
 *
 * <pre>
 *  first worker start ──command()──▶ archive in the cache directory? ──yes──▶ worker gets -XX:AOTCache=… (JDK 25+)
 *                                                                     │        or -XX:SharedArchiveFile=… (17–24)
 *                                                                     no
 *  first worker said hello ──started()──▶ daemon thread ──▶ detached {@link ArchiveBuilder} JVM ──▶ trains one
 *                                                            worker JVM, checks the archive, renames it into place
 * </pre>
 *
 * <p>Which archive: on JDK 25 and later an AOT cache (JEP 483/514: {@code -XX:AOTCacheOutput} on a
 * training run, {@code -XX:AOTCache} to use it); on JDK 19 to 24 a dynamic CDS archive made by
 * {@code -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile}; on JDK 17 and 18 one made by
 * {@code -XX:ArchiveClassesAtExit}. Workers only ever read an archive ({@code -XX:SharedArchiveFile}
 * alone, never {@code AutoCreateSharedArchive}, which would have every worker of a pool rewrite the
 * same file at its exit).
 *
 * <p>The archive's file is named after a key ({@link #keyOf}): the worker's JDK (its executable and
 * build), its whole command line (options and class path) but for {@code -Xlog} options, and the size
 * and modification time of every class-path entry, which the JVM checks too. Its size is part of the
 * name ({@code worker-25-<key>-<size>.aot}): a file whose size differs (truncated, replaced) is
 * deleted, not given to a JVM (JDK 17 crashes on a truncated archive). The builder writes to a
 * temporary file, has a JVM map it with {@code -Xshare:on} ({@code -XX:AOTMode=on}), which fails on
 * an archive it cannot use, and only then renames it into place, atomically; a lock file keeps two
 * builders (two pools, two JVMs) from working at once, and a failed build leaves a {@code .failed}
 * note that stops new attempts for {@link #RETRY_FAILED_AFTER_MS}. A worker that reports on its
 * standard error that it could not use the archive has it deleted ({@link #workerSaid}), so that the
 * next pool builds it again; until then workers run as without it.
 *
 * <p>Only archives no other user could have written are used. A JVM runs what an archive holds without
 * checking it (the JDK's own archives are trusted as part of the JDK), so an archive planted in the
 * cache directory, or swapped in between the check and the worker's start, would run another user's
 * code in the worker. On a file system with POSIX owners and modes ({@link #untrustedBecause}): the
 * cache directory and every directory above it belong to this user or to root, and only their owner may
 * write to them (but for a directory above with the sticky bit, such as {@code /tmp}, and for a
 * group-writable one whose group is its owner's own: a user private group, as {@code umask 002} systems
 * make); an archive is used only if it is a regular file (not a link) of this user or root that no one
 * else may write to ({@link #trustedFile}). Directories the pool makes for the cache are made {@code
 * rwx------}. Where the file system has no POSIX modes (Windows) this is not checked.
 *
 * <p>Skipped, and said at debug level: a class path with a directory that is not empty (the JDK
 * archives classes from jar files only: "Cannot have non-empty directory in paths", on 17 and 25
 * alike), a class path in an {@code @argfile}, JVM options that choose class-data sharing themselves
 * ({@code -Xshare}, {@code -XX:SharedArchiveFile}, {@code -XX:AOTCache}, ...), a java executable whose
 * version cannot be told, a cache directory that cannot be written or that other users may write to.
 * Nothing here ever fails a pool.
 *
 * <p>Implementation note. {@link #command()} is called by each worker's reader thread just before
 * it starts the process (never on the thread that submitted the call, nor under the pool's lock), by
 * several at once: it costs a few file-system calls, and the plan is worked out once ({@link #plan}, guarded by {@code this}). {@link #started()} runs once per pool
 * ({@link #buildAsked}); everything slower (the logger, writing files, spawning the builder) happens
 * on a daemon thread. {@link #BUILDING} (guarded by itself) keeps one JVM from spawning two builders
 * of one archive.
 */
public final class StartupArchive {

    /** A failed build is not tried again for a day: each attempt costs a few JVM starts. */
    static final long RETRY_FAILED_AFTER_MS = 24L * 60 * 60 * 1000;

    /** A lock file older than this was left by a builder that died: builds take seconds, not minutes. */
    static final long STALE_LOCK_MS = 10L * 60 * 1000;

    /** The builders this JVM spawned, by archive path (directory and name), to spawn one at a time per archive. */
    private static final Map<String, Process> BUILDING = new HashMap<>();

    private final boolean enabled;
    private final File directory;
    private final List<String> command;
    /** Worked out on first use. Guarded by this. */
    private Plan plan;
    /** Whether {@link #started()} ran. Guarded by this. */
    private boolean buildAsked;

    /**
     * What to do for one pool.
     *
     * @param skip why there is no archive for these workers, or {@code null}
     * @param directory the cache directory
     * @param name the archive's name without size and extension
     * @param feature the worker JDK's feature version
     */
    record Plan(String skip, File directory, String name, int feature) {
        String extension() {
            return feature >= 25 ? ".aot" : ".jsa";
        }
    }

    /**
     * The start-up archive of one pool's workers.
     *
     * @param enabled whether to use and build archives
     * @param directory the cache directory, or {@code null} for the default ({@link #defaultDirectory})
     * @param command the worker command, as {@link WorkerCommand#build} makes it
     */
    public StartupArchive(boolean enabled, File directory, List<String> command) {
        this.enabled = enabled;
        this.directory = directory;
        this.command = command;
    }

    /**
     * The command for the next worker: with the archive when there is a good one.
     *
     * @return the command
     */
    public List<String> command() {
        Plan p = plan();
        if (p.skip() != null) {
            return command;
        }
        File archive = find(p);
        return archive == null ? command : withOptions(command, useOptions(p.feature(), archive));
    }

    /**
     * The pool's first worker said hello: build the archive in the background if there is none.
     * Returns at once.
     */
    public void started() {
        Plan p;
        synchronized (this) {
            if (buildAsked || !enabled) {
                return;
            }
            buildAsked = true;
            p = plan();
        }
        if (p.skip() == null && find(p) != null) {
            return;
        }
        Thread t = new Thread(new Background(p), "futures-startup-archive");
        t.setDaemon(true);
        t.start();
    }

    synchronized Plan plan() {
        if (plan == null) {
            plan = makePlan();
        }
        return plan;
    }

    private Plan makePlan() {
        if (!enabled) {
            return new Plan("startup archives are turned off", null, null, 0);
        }
        int cp = command.indexOf("-cp");
        if (cp < 0 || cp + 1 >= command.size()) {
            return new Plan("the workers have no class path", null, null, 0);
        }
        for (int i = 1; i < command.size(); i++) {
            String a = command.get(i);
            if (a.startsWith("@")) {
                return new Plan("the worker's class path is in an argument file", null, null, 0);
            }
            if (i < cp && choosesSharing(a)) {
                return new Plan("the JVM options choose class-data sharing themselves (" + a + ")", null, null, 0);
            }
        }
        String java = command.get(0);
        String jdk;
        int feature;
        if (new File(java).getAbsoluteFile().equals(new File(WorkerCommand.currentJava()).getAbsoluteFile())) {
            feature = Runtime.version().feature();
            jdk = System.getProperty("java.vm.vendor") + ' ' + System.getProperty("java.vm.name") + ' '
                    + System.getProperty("java.vm.version") + ' ' + System.getProperty("os.arch");
        } else {
            jdk = release(java);
            feature = jdk == null ? 0 : featureOf(jdk);
            if (feature == 0) {
                return new Plan("cannot tell the version of " + java + " (no readable release file)", null, null, 0);
            }
        }
        if (feature < 17) {
            return new Plan("JDK " + feature + " is too old for start-up archives", null, null, 0);
        }
        StringBuilder key = new StringBuilder(1024).append("v1\n").append(jdk).append('\n')
                .append(new File(java).getAbsolutePath()).append('\n');
        for (int i = 1; i < command.size(); i++) {
            String a = command.get(i);
            if (!a.startsWith("-Xlog")) {
                key.append(a).append('\n');
            }
        }
        for (String entry : command.get(cp + 1).split(File.pathSeparator, -1)) {
            File f = new File(entry.isEmpty() ? "." : entry);
            if (f.isDirectory()) {
                String[] inside = f.list();
                if (inside != null && inside.length > 0) {
                    return new Plan("the worker's class path has a directory (" + entry + "); the JDK archives"
                            + " classes from jar files only", null, null, 0);
                }
            }
            key.append(f.getAbsolutePath()).append(' ').append(f.length()).append(' ').append(f.lastModified())
                    .append('\n');
        }
        File dir = directory != null ? directory : defaultDirectory();
        String untrusted = untrustedBecause(dir);
        if (untrusted != null) {
            return new Plan("the cache directory " + dir + " is not safe for start-up archives: " + untrusted,
                    null, null, 0);
        }
        return new Plan(null, dir, "worker-" + feature + "-" + keyOf(key), feature);
    }

    /**
     * Why archives must not be read from or written to {@code dir}, or {@code null} if they may (see the
     * class comment). Checks the directory, or the part of its path that exists if it is still to be
     * made, with symbolic links resolved, and every directory above it: each belongs to this user or to
     * root, and no other user may write to it; a directory above it may be writable by all if it has the
     * sticky bit, and any of them writable by its group if that group's id is its owner's user id (a
     * user private group). Not checked where the file system has no POSIX owners and modes.
     *
     * @param dir the cache directory
     * @return the reason, or {@code null}
     */
    static String untrustedBecause(File dir) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            return null;
        }
        try {
            Path p = dir.toPath().toAbsolutePath();
            boolean self = true; // p is the cache directory itself (no sticky exemption)
            while (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                p = p.getParent();
                self = false;
                if (p == null) {
                    return "no part of its path exists";
                }
            }
            int me = processUid();
            for (Path d = p.toRealPath(); d != null; d = d.getParent(), self = false) {
                Map<String, Object> a = Files.readAttributes(d, "unix:uid,gid,mode");
                int uid = (Integer) a.get("uid");
                int mode = (Integer) a.get("mode");
                if (uid != 0 && !mine(d, uid, me)) {
                    return d + " belongs to another user (uid " + uid + ")";
                }
                if (othersMayWrite(a, !self)) {
                    return d + " may be written to by other users (mode " + Integer.toOctalString(mode & 07777) + ")";
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot tell who may write to it: " + e;
        }
    }

    /**
     * Whether {@code archive} may be given to a worker: a regular file (not a link) of this user or
     * root, which no other user may write to (its group only if that is its owner's user private
     * group). Always true where the file system has no POSIX owners and modes.
     *
     * @param archive the file
     * @return whether it is trusted
     */
    static boolean trustedFile(File archive) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            return true;
        }
        try {
            Path f = archive.toPath();
            Map<String, Object> a = Files.readAttributes(f, "unix:uid,gid,mode,isRegularFile",
                    LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            return Boolean.TRUE.equals(a.get("isRegularFile")) && (uid == 0 || mine(f, uid, processUid()))
                    && !othersMayWrite(a, false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether a user other than the owner may write to a file or directory of these {@code unix:}
     * attributes ({@code uid}, {@code gid}, {@code mode}): it is writable by all (unless {@code stickyExempt}
     * and it has the sticky bit), or by a group that is not its owner's user private group.
     */
    private static boolean othersMayWrite(Map<String, Object> a, boolean stickyExempt) {
        int mode = (Integer) a.get("mode");
        boolean all = (mode & 0002) != 0 && !(stickyExempt && (mode & 01000) != 0);
        boolean group = (mode & 0020) != 0 && !a.get("gid").equals(a.get("uid"));
        return all || group;
    }

    /** This process's user id as the kernel tells it ({@code /proc/self}, Linux), or -1 where it cannot. */
    private static int processUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether {@code uid}, the owner of {@code p}, is this process's user: by id where it is known, else
     * by the owner's principal against the one of {@code user.name}.
     */
    private static boolean mine(Path p, int uid, int me) throws IOException {
        if (me >= 0) {
            return uid == me;
        }
        UserPrincipal owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS);
        return owner.equals(p.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name")));
    }

    /** Options with which a user picks class-data sharing or an archive for the workers. */
    static boolean choosesSharing(String option) {
        return option.startsWith("-Xshare") || option.startsWith("-XX:SharedArchiveFile")
                || option.startsWith("-XX:ArchiveClassesAtExit") || option.startsWith("-XX:AOT")
                || option.contains("AutoCreateSharedArchive") || option.startsWith("-XX:SharedClassListFile")
                || option.startsWith("-XX:DumpLoadedClassList");
    }

    /**
     * The per-user cache directory: {@code $XDG_CACHE_HOME/futures/startup} when that variable names
     * an absolute path, else {@code ~/.cache/futures/startup}.
     *
     * @return the directory (it may not exist yet)
     */
    static File defaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        File base = xdg != null && new File(xdg).isAbsolute() ? new File(xdg)
                : new File(System.getProperty("user.home"), ".cache");
        return new File(new File(base, "futures"), "startup");
    }

    /** A 64-bit FNV-1a hash in hex: no message digest (its providers cost start-up time). */
    static String keyOf(CharSequence text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
            h = (h ^ (c >>> 8)) * 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0000000000000000".substring(hex.length()) + hex;
    }

    /** The {@code release} file of the JDK of {@code java} ({@code <home>/bin/java}), or {@code null}. */
    static String release(String java) {
        File bin = new File(java).getAbsoluteFile().getParentFile();
        File home = bin == null ? null : bin.getParentFile();
        if (home == null) {
            return null;
        }
        try (InputStream in = new FileInputStream(new File(home, "release"))) {
            return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8)
                    + new File(java).getAbsoluteFile().lastModified();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** The feature version in a {@code release} file's {@code JAVA_VERSION="17.0.15"}, or 0. */
    static int featureOf(String release) {
        int at = release.indexOf("JAVA_VERSION=\"");
        if (at < 0) {
            return 0;
        }
        int from = at + "JAVA_VERSION=\"".length();
        int to = from;
        while (to < release.length() && Character.isDigit(release.charAt(to))) {
            to++;
        }
        try {
            int v = Integer.parseInt(release.substring(from, to));
            return v == 1 ? 8 : v; // "1.8.0_x"
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The archive of {@code p} in its directory, if there is a whole one that no other user could have
     * written ({@link #trustedFile}); deletes files of its name whose size is not the one in their name.
     */
    static File find(Plan p) {
        String[] names = p.directory().list();
        if (names == null) {
            return null;
        }
        String prefix = p.name() + "-";
        String ext = p.extension();
        File good = null;
        for (String n : names) {
            if (n.startsWith(prefix) && n.endsWith(ext)) {
                File f = new File(p.directory(), n);
                long size;
                try {
                    size = Long.parseLong(n.substring(prefix.length(), n.length() - ext.length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (good == null && f.length() == size && trustedFile(f)) {
                    good = f;
                } else if (f.length() != size) {
                    f.delete(); // truncated or replaced: never given to a JVM
                }
            }
        }
        return good;
    }

    /** The options that make a worker of JDK {@code feature} use {@code archive}. */
    static List<String> useOptions(int feature, File archive) {
        return List.of(feature >= 25 ? "-XX:AOTCache=" + archive.getPath() : "-XX:SharedArchiveFile=" + archive.getPath());
    }

    /** The options that make a training worker of JDK {@code feature} write an archive to {@code out}. */
    static List<String> createOptions(int feature, File out) {
        if (feature >= 25) {
            return List.of("-XX:AOTCacheOutput=" + out.getPath());
        }
        if (feature >= 19) {
            return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + out.getPath());
        }
        return List.of("-XX:ArchiveClassesAtExit=" + out.getPath());
    }

    /** {@code command} with {@code options} right after the java executable. */
    static List<String> withOptions(List<String> command, List<String> options) {
        List<String> c = new ArrayList<>(command.size() + options.size());
        c.add(command.get(0));
        c.addAll(options);
        c.addAll(command.subList(1, command.size()));
        return List.copyOf(c);
    }

    /**
     * A line a worker wrote on its standard error before it said hello. When it says that the JVM
     * could not use our archive (JDK 25 reports a bad AOT cache as {@code [error][aot] ...}, JDK 17
     * a dynamic archive it cannot load as {@code [warning][cds,dynamic] Unable to use shared
     * archive ...}), the archive is deleted: the next pool builds a new one, and until then workers
     * run without it rather than warn at each start.
     *
     * @param command the worker's command
     * @param line the line
     */
    static void workerSaid(List<String> command, String line) {
        if (!(line.contains("][aot") || line.contains("][cds"))
                || !(line.contains("[error") || line.contains("Unable to use") || line.contains("failed"))) {
            return;
        }
        for (int i = 1, n = Math.min(command.size(), 4); i < n; i++) {
            String a = command.get(i);
            String path = a.startsWith("-XX:AOTCache=") ? a.substring("-XX:AOTCache=".length())
                    : a.startsWith("-XX:SharedArchiveFile=") ? a.substring("-XX:SharedArchiveFile=".length()) : null;
            if (path != null && new File(path).getName().startsWith("worker-")) {
                new File(path).delete();
            }
        }
    }

    /** On the daemon thread: says why there is no archive, or spawns a builder. */
    private void buildInBackground(Plan p) {
        if (p.skip() != null) {
            Log.debug("no start-up archive for the workers of this pool: " + p.skip());
            return;
        }
        String archive = new File(p.directory(), p.name()).getPath();
        Process running;
        synchronized (BUILDING) {
            running = BUILDING.get(archive);
        }
        if (running != null) {
            // A builder of this JVM is at work (or finishing): wait for it, then build only if it left
            // no whole archive (one was damaged since, say).
            try {
                running.waitFor(STALE_LOCK_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (running.isAlive() || find(p) != null) {
                return;
            }
        }
        File dir = p.directory();
        File failed = new File(dir, p.name() + ".failed");
        long failedAt = failed.lastModified();
        if (failedAt > 0L && System.currentTimeMillis() - failedAt < RETRY_FAILED_AFTER_MS) {
            Log.debug("no start-up archive for the workers: its last build failed (see " + failed + ")");
            return;
        }
        File lock = new File(dir, p.name() + ".lock");
        long lockedAt = lock.lastModified();
        if (lockedAt > 0L && System.currentTimeMillis() - lockedAt < STALE_LOCK_MS) {
            return; // another JVM is building it
        }
        if (!dir.isDirectory() && !makePrivateDirectories(dir) || !dir.canWrite()) {
            Log.debug("no start-up archive for the workers: cannot write to " + dir);
            return;
        }
        File log = new File(dir, p.name() + ".log");
        List<String> builder = ArchiveBuilder.command(command, dir, p.name(), p.feature());
        try {
            Process b = new ProcessBuilder(builder).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log)).start();
            b.getOutputStream().close();
            synchronized (BUILDING) {
                BUILDING.put(archive, b);
            }
            Log.debug("building the workers' start-up archive " + p.name() + " in " + dir + " (builder pid "
                    + b.pid() + ", log " + log + ")");
        } catch (IOException | RuntimeException e) {
            Log.debug("no start-up archive for the workers: cannot start its builder: " + e);
        }
    }

    /** Makes {@code dir} and the directories above it that do not exist, {@code rwx------} where modes exist. */
    static boolean makePrivateDirectories(File dir) {
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(dir.toPath(),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir.toPath());
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The daemon thread's work (a class, not a lambda: the first lambda costs a bootstrap). */
    private final class Background implements Runnable {
        private final Plan plan;

        Background(Plan plan) {
            this.plan = plan;
        }

        @Override
        public void run() {
            buildInBackground(plan);
        }
    }

    /** The logger, looked up on first use only: its look-up loads classes (on a background thread here). */
    private static final class Log {
        private static final System.Logger LOG = System.getLogger(StartupArchive.class.getName());

        static void debug(String message) {
            LOG.log(System.Logger.Level.DEBUG, message);
        }
    }
}
