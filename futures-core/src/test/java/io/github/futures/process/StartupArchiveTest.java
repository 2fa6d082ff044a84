package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers' start-up archives with real worker JVMs: built in the background after a pool's first
 * start, mapped by the workers of the next pool, never a failure when it is damaged or cannot be
 * written, and nothing at all when turned off. The workers run from a jar of this library and these
 * tests (the JDK archives classes from jar files only).
 */
@Timeout(300)
class StartupArchiveTest {

    @TempDir
    static Path shared;

    /** This library and this test class, as one jar: the workers' whole class path. */
    static String jar;

    @BeforeAll
    static void makeJar() throws IOException {
        Path classes = Path.of(WorkerCommand.libraryLocation());
        Path tests = Path.of(StartupArchiveTest.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path out = shared.resolve("futures-worker.jar");
        try (JarOutputStream jarOut = new JarOutputStream(Files.newOutputStream(out))) {
            add(jarOut, classes, classes);
            for (Path p : List.of(tests.resolve("io/github/futures/process"))) {
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        if (f.getFileName().toString().startsWith("StartupArchiveTest")) {
                            put(jarOut, tests.relativize(f).toString(), f);
                        }
                    }
                }
            }
        }
        jar = out.toString();
    }

    private static void add(JarOutputStream jarOut, Path root, Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    put(jarOut, root.relativize(f).toString(), f);
                }
            }
        }
    }

    private static void put(JarOutputStream jarOut, String name, Path file) throws IOException {
        jarOut.putNextEntry(new JarEntry(name.replace(File.separatorChar, '/')));
        Files.copy(file, jarOut);
        jarOut.closeEntry();
    }

    static int square(int n) {
        return n * n;
    }

    private static ProcessPoolExecutor.Builder pool(Path dir) {
        return ProcessPoolExecutor.builder().maxWorkers(1).classPath(jar).startupArchiveDirectory(dir);
    }

    /** Runs a map and a call on a fresh pool, and closes it. */
    private static void use(ProcessPoolExecutor.Builder b) {
        try (ProcessPoolExecutor p = b.build()) {
            assertThat(p.map((SerializableFunction<Integer, Integer>) StartupArchiveTest::square, List.of(1, 2, 3)))
                    .containsExactly(1, 4, 9);
            assertThat(p.submit((SerializableCallable<String>) () -> "ok").result()).isEqualTo("ok");
        }
    }

    /** The archives in {@code dir}: whole files named by the archive scheme. */
    private static List<Path> archives(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("worker-\\d+-[0-9a-f]{16}-\\d+\\.(jsa|aot)")).toList();
        }
    }

    /** Waits for the background builder to rename an archive into {@code dir} (a file-system event, no sleep). */
    private static Path awaitArchive(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            for (;;) {
                List<Path> found = archives(dir);
                if (!found.isEmpty()) {
                    return found.get(0);
                }
                var key = watch.poll(250, TimeUnit.SECONDS);
                assertThat(key).as("an archive appears in " + dir + "; builder log: " + logOf(dir)).isNotNull();
                key.pollEvents();
                key.reset();
            }
        }
    }

    private static String logOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            StringBuilder s = new StringBuilder();
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.toString().endsWith(".log") || f.toString().endsWith(".failed")) {
                    s.append(Files.readString(f, StandardCharsets.UTF_8));
                }
            }
            return s.toString();
        }
    }

    /** The archive is built after a pool's first start, and the workers of the next pool map it. */
    @Test
    void archiveBuiltAfterFirstStartIsMappedByNextPoolsWorkers(@TempDir Path dir) throws Exception {
        use(pool(dir));
        Path archive = awaitArchive(dir);
        Path classLog = dir.resolve("worker-class-load.txt");
        use(pool(dir).jvmArgs("-Xlog:class+load=info:file=" + classLog));
        // WorkerMain is no class of the JDK's own archive: loaded from a shared file, it came from ours.
        assertThat(Files.readAllLines(classLog)).as("the worker's class loading, with " + archive)
                .anyMatch(l -> l.contains(" io.github.futures.process.WorkerMain source: shared objects file"));
        assertThat(archives(dir)).containsExactly(archive);
    }

    /** A truncated archive is never given to a worker: the pool works, the file is deleted and built again. */
    @Test
    void truncatedArchiveIsDiscardedAndRebuilt(@TempDir Path dir) throws Exception {
        use(pool(dir));
        Path archive = awaitArchive(dir);
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.setLength(f.length() / 2); // JDK 17 crashes (SIGBUS) on such a file
        }
        Path classLog = dir.resolve("worker-class-load.txt");
        use(pool(dir).jvmArgs("-Xlog:class+load=info:file=" + classLog));
        assertThat(Files.readAllLines(classLog)).as("the worker did not map the damaged archive")
                .noneMatch(l -> l.contains(" io.github.futures.process.WorkerMain source: shared objects file"));
        assertThat(archive).doesNotExist();
        Path rebuilt = awaitArchive(dir);
        assertThat(Files.size(rebuilt)).isPositive();
    }

    /** A pool whose archive directory cannot be created works as without archives. */
    @Test
    void unwritableDirectoryLeavesThePoolWorking(@TempDir Path tmp) throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        use(pool(notADirectory.resolve("archives")));
        use(pool(notADirectory.resolve("archives")));
        assertThat(Files.readString(notADirectory)).isEqualTo("x");
    }

    /** With startupArchive(false) workers get no archive option and no file is written. */
    @Test
    void turnedOffWritesNothing(@TempDir Path dir) throws Exception {
        use(pool(dir).startupArchive(false));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    /** A class path with a class directory gets no archive (the JDK refuses one), and says why. */
    @Test
    void classDirectoryOnTheClassPathIsSkipped(@TempDir Path dir) {
        List<String> command = List.of(WorkerCommand.currentJava(), "-cp", WorkerCommand.libraryLocation(),
                WorkerMain.class.getName());
        StartupArchive archive = new StartupArchive(true, dir.toFile(), command);
        assertThat(archive.plan().skip()).contains("directory").contains(WorkerCommand.libraryLocation());
        assertThat(archive.command()).isEqualTo(command);
    }

    /** The archive's name changes with a class-path jar's size or time, as the JVM's own check does. */
    @Test
    void nameFollowsTheClassPathJars(@TempDir Path dir) throws IOException {
        Path lib = Files.writeString(dir.resolve("lib.jar"), "one");
        List<String> command = List.of(WorkerCommand.currentJava(), "-cp", lib.toString(), "Main");
        String before = new StartupArchive(true, dir.toFile(), command).plan().name();
        assertThat(new StartupArchive(true, dir.toFile(), command).plan().name()).isEqualTo(before);
        Files.writeString(lib, "longer");
        assertThat(new StartupArchive(true, dir.toFile(), command).plan().name()).isNotEqualTo(before)
                .startsWith("worker-" + Runtime.version().feature() + "-");
        List<String> logging = List.of(WorkerCommand.currentJava(), "-Xlog:gc", "-cp", lib.toString(), "Main");
        assertThat(new StartupArchive(true, dir.toFile(), logging).plan().name())
                .isEqualTo(new StartupArchive(true, dir.toFile(), command).plan().name());
    }

    /** Options that choose class-data sharing themselves turn the archive off. */
    @Test
    void userSharingOptionsWin(@TempDir Path dir) throws IOException {
        Path lib = Files.writeString(dir.resolve("lib.jar"), "x");
        List<String> command = List.of(WorkerCommand.currentJava(), "-Xshare:off", "-cp", lib.toString(), "Main");
        assertThat(new StartupArchive(true, dir.toFile(), command).plan().skip()).contains("-Xshare:off");
    }

    /** A worker that reports it could not use the archive has it deleted. */
    @Test
    void archiveRefusedByAWorkerIsDeleted(@TempDir Path dir) throws IOException {
        Path aot = Files.writeString(dir.resolve("worker-25-0123456789abcdef-3.aot"), "bad");
        List<String> command = List.of("java", "-XX:AOTCache=" + aot, "-cp", "x.jar", "Main");
        StartupArchive.workerSaid(command, "[0.021s][warning][gc] unrelated");
        assertThat(aot).exists();
        StartupArchive.workerSaid(command, "[0.025s][error  ][aot] Loading static archive failed.");
        assertThat(aot).doesNotExist();
    }

    /** The version in a JDK's release file. */
    @Test
    void featureVersionFromTheReleaseFile() {
        assertThat(StartupArchive.featureOf("IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\"\n")).isEqualTo(25);
        assertThat(StartupArchive.featureOf("JAVA_VERSION=\"17.0.15\"")).isEqualTo(17);
        assertThat(StartupArchive.featureOf("nothing")).isZero();
    }

    /** The training frames end with EXIT, so that the training worker exits and writes its archive. */
    @Test
    void trainingEndsWithExit() {
        byte[] frames = ArchiveBuilder.trainingFrames();
        byte[] tail = java.util.Arrays.copyOfRange(frames, frames.length - Frames.EXIT.length, frames.length);
        assertThat(tail).isEqualTo(Frames.EXIT);
    }

    // ---------------------------------------------------------------- archives other users could write

    private static boolean unixModes() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    }

    private static int attribute(Path p, String name) throws IOException {
        return (Integer) Files.readAttributes(p, "unix:" + name, LinkOption.NOFOLLOW_LINKS).get(name);
    }

    private static boolean runningAsRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Path directory(Path p, int mode) throws IOException {
        Files.createDirectories(p);
        Files.setAttribute(p, "unix:mode", mode);
        return p;
    }

    private static List<String> workerCommand() {
        return List.of(WorkerCommand.currentJava(), "-cp", jar, WorkerMain.class.getName());
    }

    /**
     * The attack: a whole, genuine archive put into a cache directory that other users may write to
     * (as one of them could). The workers must not map it, and the pool writes nothing there.
     */
    @Test
    void archiveInADirectoryOthersMayWriteToIsNeverGivenToAWorker(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(unixModes(), "POSIX modes");
        Path own = tmp.resolve("own");
        use(pool(own));
        Path genuine = awaitArchive(own);
        Path open = directory(tmp.resolve("open"), 0777);
        Path planted = Files.copy(genuine, open.resolve(genuine.getFileName()));
        assertThat(new StartupArchive(true, open.toFile(), workerCommand()).plan().skip())
                .contains(open.toString()).contains("may be written to by other users").contains("777");

        Path classLog = tmp.resolve("worker-class-load.txt");
        use(pool(open).jvmArgs("-Xlog:class+load=info:file=" + classLog));
        use(pool(open));
        assertThat(Files.readAllLines(classLog)).as("the worker did not map the planted archive")
                .anyMatch(l -> l.contains(" io.github.futures.process.WorkerMain source:"))
                .noneMatch(l -> l.contains(" io.github.futures.process.WorkerMain source: shared objects file"));
        try (Stream<Path> files = Files.list(open)) {
            assertThat(files).as("nothing built, locked or logged there").containsExactly(planted);
        }
        // The same archive in the user's own directory is used: the refusal above is the directory's.
        use(pool(own).jvmArgs("-Xlog:class+load=info:file=" + classLog));
        assertThat(Files.readAllLines(classLog))
                .anyMatch(l -> l.contains(" io.github.futures.process.WorkerMain source: shared objects file"));
    }

    /** A directory above the cache that others may write to (and could swap the cache in) makes it unsafe, made or not. */
    @Test
    void directoryAboveOthersMayWriteToMakesTheCacheUnsafe(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(unixModes(), "POSIX modes");
        Path open = directory(tmp.resolve("open"), 0777);
        Path cache = directory(open.resolve("cache"), 0700);
        String openWritable = open.toRealPath() + " may be written to by other users";
        assertThat(StartupArchive.untrustedBecause(cache.toFile())).contains(openWritable);
        assertThat(StartupArchive.untrustedBecause(open.resolve("not-made-yet/startup").toFile())).contains(openWritable);
        // Through a symbolic link: the directory it leads to is what counts.
        Path link = Files.createSymbolicLink(directory(tmp.resolve("safe"), 0700).resolve("link"), cache);
        assertThat(StartupArchive.untrustedBecause(link.toFile())).contains(openWritable);
        Files.setAttribute(open, "unix:mode", 0755);
        assertThat(StartupArchive.untrustedBecause(cache.toFile())).isNull();
        assertThat(StartupArchive.untrustedBecause(link.toFile())).isNull();
    }

    /**
     * A directory above with the sticky bit (as /tmp) may be writable by all: only an entry's owner may
     * rename or delete it. The cache directory itself may not: anyone could put a file in it.
     */
    @Test
    void stickyDirectoryAboveIsFineButNotAsTheCacheItself(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(unixModes(), "POSIX modes");
        Path sticky = directory(tmp.resolve("sticky"), 01777);
        assertThat(StartupArchive.untrustedBecause(directory(sticky.resolve("cache"), 0700).toFile())).isNull();
        assertThat(StartupArchive.untrustedBecause(sticky.toFile())).contains("may be written to by other users")
                .contains("1777");
    }

    /** Group-writable is fine only for a user private group (its id is the owner's user id), as umask 002 systems make. */
    @Test
    void groupWritableOnlyForTheOwnersPrivateGroup(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(unixModes(), "POSIX modes");
        Path dir = directory(tmp.resolve("group"), 0770);
        boolean privateGroup = attribute(dir, "gid") == attribute(dir, "uid");
        String why = StartupArchive.untrustedBecause(dir.toFile());
        if (privateGroup) {
            assertThat(why).isNull();
        } else {
            assertThat(why).contains("may be written to by other users").contains("770");
        }
        if (runningAsRoot()) {
            Files.setAttribute(dir, "unix:gid", 4242); // a group of others
            assertThat(StartupArchive.untrustedBecause(dir.toFile())).contains("may be written to by other users");
            Files.setAttribute(dir, "unix:uid", 4243); // and another user's directory
            assertThat(StartupArchive.untrustedBecause(dir.toFile()))
                    .contains(dir.toRealPath() + " belongs to another user (uid 4243)");
        }
    }

    /** Only a regular file of this user (or root) that no one else may write to is given to a worker. */
    @Test
    void archiveFileMustBeThisUsersAndNoLink(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(unixModes(), "POSIX modes");
        Path dir = directory(tmp.resolve("cache"), 0700);
        Path lib = Files.writeString(tmp.resolve("lib.jar"), "x");
        StartupArchive.Plan plan = new StartupArchive(true, dir.toFile(), List.of(WorkerCommand.currentJava(), "-cp",
                lib.toString(), "Main")).plan();
        assertThat(plan.skip()).isNull();
        Path archive = Files.writeString(dir.resolve(plan.name() + "-3" + plan.extension()), "abc");
        Files.setAttribute(archive, "unix:mode", 0644);
        assertThat(StartupArchive.find(plan)).isEqualTo(archive.toFile());

        Files.setAttribute(archive, "unix:mode", 0646);
        assertThat(StartupArchive.find(plan)).as("writable by others").isNull();
        Files.setAttribute(archive, "unix:mode", 0664);
        assertThat(StartupArchive.find(plan) != null).as("group-writable, group " + attribute(archive, "gid"))
                .isEqualTo(attribute(archive, "gid") == attribute(archive, "uid"));
        Files.setAttribute(archive, "unix:mode", 0444);

        Path elsewhere = Files.move(archive, tmp.resolve("elsewhere"));
        Files.createSymbolicLink(archive, elsewhere);
        assertThat(StartupArchive.find(plan)).as("a link").isNull();
        assertThat(archive).as("a link is not deleted as a damaged file either").isSymbolicLink();
        Files.delete(archive);
        Files.move(elsewhere, archive);
        assertThat(StartupArchive.find(plan)).isEqualTo(archive.toFile());
        if (runningAsRoot()) {
            Files.setAttribute(archive, "unix:uid", 4243);
            assertThat(StartupArchive.find(plan)).as("another user's").isNull();
        }
    }

    /** The directories made for the cache are the user's alone. */
    @Test
    void cacheDirectoriesAreMadePrivate(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(unixModes(), "POSIX modes");
        Path cache = tmp.resolve("futures/startup");
        assertThat(StartupArchive.makePrivateDirectories(cache.toFile())).isTrue();
        assertThat(attribute(cache, "mode") & 0777).isEqualTo(0700);
        assertThat(attribute(cache.getParent(), "mode") & 0777).isEqualTo(0700);
        assertThat(StartupArchive.untrustedBecause(cache.toFile())).isNull();
    }
}
