package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import io.github.futures.spi.ExecutorSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How workers start, are reused, replaced and stopped. */
@Timeout(60)
class WorkerLifecycleTest {

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** No process exists before the first submit; an idle worker is reused rather than a new one started. */
    @Test
    void workersStartLazilyAndIdleOnesAreReused() {
        try (ProcessPoolExecutor pool = new ProcessPoolExecutor(2)) {
            assertThat(pool.snapshot().workersStarted()).isZero();
            assertThat(pool.snapshot().workers()).isZero();
            Set<Long> pids = new java.util.HashSet<>();
            for (int i = 0; i < 10; i++) {
                pids.add(pool.submit(Probes.pid()).result());
            }
            assertThat(pids).as("one call at a time needs one worker").hasSize(1);
            assertThat(pool.snapshot().workersStarted()).isEqualTo(1);
        }
    }

    /**
     * prestartWorkers starts every worker at once and returns how many; the calls that follow run on them
     * (no further JVM starts), a second prestart starts none, and after shutdown it is refused.
     */
    @Test
    void prestartWorkersStartsMaxWorkersAtOnceAndCallsRunOnThem() {
        Gate gate = Gate.create();
        ProcessPoolExecutor pool = new ProcessPoolExecutor(3);
        try (Signal started = Signal.create()) {
            assertThat(pool.prestartWorkers()).isEqualTo(3);
            assertThat(pool.prestartWorkers()).as("all there or starting").isZero();
            assertThat(pool.snapshot().workersStarted()).isEqualTo(3);
            List<Future<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fs.add(pool.submit((SerializableCallable<Long>) () -> {
                    started.fire();
                    gate.await();
                    return ProcessHandle.current().pid();
                }));
            }
            started.awaitCount(3); // three calls at once: on the three prestarted workers
            gate.open();
            assertThat(fs.stream().map(Future::result).collect(Collectors.toSet())).hasSize(3);
            assertThat(pool.snapshot().workersStarted()).as("no worker started after the prestart").isEqualTo(3);
        } finally {
            gate.open();
            pool.shutdown();
        }
        assertThatThrownBy(pool::prestartWorkers).isInstanceOf(RejectedExecutionException.class);
    }

    /** Several calls at once start several workers, never more than maxWorkers. */
    @Test
    void concurrentCallsStartWorkersUpToMaxWorkers() {
        Gate gate = Gate.create();
        try (ProcessPoolExecutor pool = new ProcessPoolExecutor(2); Signal started = Signal.create()) {
            List<Future<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                fs.add(pool.submit((SerializableCallable<Long>) () -> {
                    started.fire();
                    gate.await();
                    return ProcessHandle.current().pid();
                }));
            }
            started.awaitCount(2); // both run at once: two workers
            for (int i = 0; i < 6; i++) {
                fs.add(pool.submit(Probes.pid()));
            }
            gate.open();
            Set<Long> pids = fs.stream().map(Future::result).collect(Collectors.toSet());
            assertThat(pids).hasSize(2);
            ExecutorSnapshot s = pool.snapshot();
            assertThat(s.workersStarted()).isEqualTo(2);
            assertThat(s.workers()).isEqualTo(2);
        } finally {
            gate.open();
        }
    }

    /** The initializer runs exactly once in each worker, before its first call. */
    @Test
    void initializerRunsOncePerWorker() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2)
                .initializer(Probes.countingInitializer()).build()) {
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                fs.add(pool.submit(Probes.initState()));
            }
            for (Future<String> f : fs) {
                String[] parts = f.result().split(" ");
                assertThat(parts[0]).as("initializer runs in this worker").isEqualTo("1");
                assertThat(parts[1]).as("it ran in the same process").isEqualTo(parts[2]);
            }
        }
        assertThat(Probes.initRuns).as("the initializer never ran in the parent").isZero();
    }

    /** A failing initializer breaks the pool, and the BrokenProcessPool carries the initializer's exception. */
    @Test
    void failingInitializerBreaksThePoolWithItsCause() {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1)
                .initializer(() -> {
                    throw new IllegalStateException("no database");
                }).build();
        Future<Long> f = pool.submit(Probes.pid());
        Throwable e = f.exception();
        assertThat(e).isInstanceOf(BrokenProcessPool.class).hasMessageContaining("initializer failed")
                .hasMessageContaining("no database");
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("no database");
        assertThatThrownBy(() -> pool.submit(Probes.pid())).isInstanceOf(BrokenProcessPool.class);
        pool.shutdown(true, false);
    }

    /** An initializer that cannot be serialized is refused by build(). */
    @Test
    void unserializableInitializerIsRefusedAtBuild() {
        Probes.Opaque captured = new Probes.Opaque(1);
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().initializer(() -> System.out.println(captured.value)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initializer")
                .hasMessageContaining(Probes.Opaque.class.getName());
    }

    /** maxTasksPerChild replaces a worker by a fresh JVM (a new pid) after that many calls. */
    @Test
    void maxTasksPerChildGivesNewWorkerProcesses() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).maxTasksPerChild(2).build()) {
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                pids.add(pool.submit(Probes.pid()).result());
            }
            Map<Long, Integer> calls = new HashMap<>();
            pids.forEach(p -> calls.merge(p, 1, Integer::sum));
            assertThat(calls).hasSize(3).allSatisfy((pid, n) -> assertThat(n).isEqualTo(2));
            assertThat(pids.get(0)).isEqualTo(pids.get(1)).isNotEqualTo(pids.get(2));
            // 4: each worker's replacement starts as it takes its last call, so the third one's is up already
            assertThat(pool.snapshot().workersStarted()).isEqualTo(4);
            assertThat(alive(pids.get(0))).as("the retired worker exited").isFalse();
        }
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().maxTasksPerChild(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTasksPerChild");
    }

    /** shutdown(wait) returns once the calls ran and the worker processes have exited; later submits are rejected. */
    @Test
    void shutdownWaitsForCallsAndEndsTheProcesses() {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        long pid = pool.submit(Probes.pid()).result();
        Future<Integer> last = pool.submit((SerializableCallable<Integer>) () -> 9);
        pool.shutdown(true, false);
        assertThat(last.result(Duration.ZERO)).isEqualTo(9);
        assertThat(alive(pid)).isFalse();
        assertThat(pool.snapshot().state()).isEqualTo(ExecutorSnapshot.SHUTDOWN);
        assertThat(pool.snapshot().workers()).isZero();
        assertThat(pool.awaitTermination(Duration.ZERO)).isTrue();
        assertThatThrownBy(() -> pool.submit(Probes.pid())).isInstanceOf(RejectedExecutionException.class);
    }

    /** terminateWorkers() stops the workers now: running calls fail with BrokenProcessPool, queued ones are cancelled. */
    @Test
    void terminateWorkersStopsRunningCallsAndCancelsQueuedOnes() {
        // SIGTERM, and the JDK closes the worker's standard input too: either ends it (code 143 or 70)
        endWorkers(false, "terminateWorkers()", "exited with code");
    }

    /** killWorkers() kills the workers now (SIGKILL). */
    @Test
    void killWorkersKillsThem() {
        endWorkers(true, "killWorkers()", "code 137");
    }

    private static void endWorkers(boolean kill, String method, String exit) {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        try (Signal started = Signal.create()) {
            long pid = pool.submit(Probes.pid()).result();
            Future<Integer> running = pool.submit((SerializableCallable<Integer>) () -> {
                started.fire();
                return Probes.blockForever().call();
            });
            started.awaitCount(1);
            Future<Integer> ahead = pool.submit((SerializableCallable<Integer>) () -> 1); // sent ahead to the busy worker
            Future<Integer> queued = pool.submit((SerializableCallable<Integer>) () -> 2);
            if (kill) {
                pool.killWorkers();
            } else {
                pool.terminateWorkers();
            }
            assertThat(running.exception(Duration.ofSeconds(30))).isInstanceOf(BrokenProcessPool.class)
                    .hasMessageContaining(method).hasMessageContaining("pid " + pid).hasMessageContaining(exit);
            assertThat(ahead.exception(Duration.ofSeconds(30))).isInstanceOf(BrokenProcessPool.class);
            assertThat(queued.cancelled()).isTrue();
            assertThat(pool.isShutdown()).isTrue();
            assertThat(pool.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(alive(pid)).isFalse();
            assertThat(pool.snapshot().state()).isEqualTo(ExecutorSnapshot.SHUTDOWN);
        }
    }

    /** JVM options, the java executable and environment variables reach the workers (Python's mp_context). */
    @Test
    void jvmOptionsJavaExecutableAndEnvironmentReachTheWorkers() {
        String java = WorkerCommand.currentJava();
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).javaExecutable(java)
                .jvmArgs("-Dprobe.option=on", "-Xmx100m").environment(Map.of("PROBE_ENV", "yes")).build()) {
            String seen = pool.submit((SerializableCallable<String>) () -> System.getProperty("probe.option") + " "
                    + System.getenv("PROBE_ENV") + " " + Runtime.getRuntime().maxMemory() / (1024 * 1024)).result();
            String[] parts = seen.split(" ");
            assertThat(parts[0]).isEqualTo("on");
            assertThat(parts[1]).isEqualTo("yes");
            assertThat(Long.parseLong(parts[2])).isBetween(80L, 100L);
            assertThat(pool.workerCommand()).contains("-Dprobe.option=on").startsWith(java);
        }
    }

    /** A java executable that does not exist breaks the pool with a message naming it. */
    @Test
    void missingJavaExecutableBreaksThePoolWithItsPath() {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).javaExecutable("/no/such/java").build();
        Future<Long> f = pool.submit(Probes.pid());
        assertThat(f.exception()).isInstanceOf(BrokenProcessPool.class).hasMessageContaining("/no/such/java");
        pool.shutdown(true, false);
    }

    /** The worker command uses Spring Boot's PropertiesLauncher when the class path is a boot jar, and a plain -cp otherwise. */
    @Test
    void workerCommandForPlainClassPathAndBootJar() throws Exception {
        List<String> plain = WorkerCommand.build("java", List.of("-Xmx1g"), "a.jar:b", List.of("1", "-"), null);
        assertThat(plain).containsExactly("java", "-Xmx1g", "-cp", "a.jar:b", WorkerMain.class.getName(), "1", "-");
        java.nio.file.Path jar = java.nio.file.Files.createTempFile("boot", ".jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("BOOT-INF/"));
            out.closeEntry();
        }
        try {
            List<String> boot = WorkerCommand.build("java", List.of(), jar.toString(), List.of("1", "-"), null);
            assertThat(boot).containsExactly("java", "-cp", jar.toString(), "-Dloader.main=" + WorkerMain.class.getName(),
                    "org.springframework.boot.loader.launch.PropertiesLauncher", "1", "-");
        } finally {
            java.nio.file.Files.delete(jar);
        }
        String longPath = "x".repeat(150_000);
        List<String> viaFile = WorkerCommand.build("java", List.of(), longPath, List.of(), null);
        assertThat(viaFile.get(1)).startsWith("@");
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(viaFile.get(1).substring(1)))).contains(longPath);
    }

    /**
     * A class path that holds this library: the worker's -cp is the library alone and the whole class
     * path travels in a property (in an argfile when long); a wildcard entry, which only the java
     * launcher expands, keeps the plain -cp.
     */
    @Test
    void workerCommandPutsOnlyTheLibraryOnTheSystemClassPath() throws Exception {
        String lib = java.nio.file.Path.of("target", "lib.jar").toAbsolutePath().toString();
        String cp = "a.jar" + java.io.File.pathSeparator + "target/./lib.jar" + java.io.File.pathSeparator + "b";
        List<String> split = WorkerCommand.build("java", List.of("-Xmx1g"), cp, List.of("1", "-"), null, lib);
        assertThat(split).containsExactly("java", "-Xmx1g", "-cp", lib,
                "-D" + WorkerCommand.CLASS_PATH_PROPERTY + "=" + cp, WorkerMain.class.getName(), "1", "-");

        String wildcard = "lib/*" + java.io.File.pathSeparator + lib;
        assertThat(WorkerCommand.build("java", List.of(), wildcard, List.of(), null, lib))
                .containsExactly("java", "-cp", wildcard, WorkerMain.class.getName());
        assertThat(WorkerCommand.build("java", List.of(), "a.jar", List.of(), null, null))
                .containsExactly("java", "-cp", "a.jar", WorkerMain.class.getName());

        String longPath = "x".repeat(150_000) + java.io.File.pathSeparator + lib;
        List<String> viaFile = WorkerCommand.build("java", List.of(), longPath, List.of(), null, lib);
        assertThat(viaFile.subList(0, 3)).containsExactly("java", "-cp", lib);
        assertThat(viaFile.get(3)).startsWith("@");
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(viaFile.get(3).substring(1))))
                .isEqualTo("\"-D" + WorkerCommand.CLASS_PATH_PROPERTY + "=" + longPath + "\"\n");
    }

    /** A class path too long for one argument reaches the worker through an argfile, and calls run. */
    @Test
    void workerWithAClassPathTooLongForOneArgumentRunsCalls() {
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (int i = 0; cp.length() < 150_000; i++) {
            cp.append(java.io.File.pathSeparator).append("target/no such dir \"quoted\" \\ ").append(i);
        }
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).classPath(cp.toString()).build()) {
            assertThat(pool.submit((SerializableCallable<String>) () -> System.getProperty("java.class.path")).result())
                    .isEqualTo(cp.toString());
            assertThat(pool.workerCommand()).anyMatch(arg -> arg.startsWith("@"));
        }
    }

    /** A class path with a wildcard goes to the worker whole, for the java launcher to expand, and calls run. */
    @Test
    void workerWithAWildcardClassPathRunsCalls() throws Exception {
        java.nio.file.Path jars = java.nio.file.Files.createTempDirectory("futures-wildcard");
        try {
            String cp = System.getProperty("java.class.path") + java.io.File.pathSeparator + jars + java.io.File.separator + "*";
            try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).classPath(cp).build()) {
                assertThat(pool.submit((SerializableCallable<Integer>) () -> 6 * 7).result()).isEqualTo(42);
                assertThat(pool.workerCommand()).contains("-cp", cp)
                        .noneMatch(arg -> arg.startsWith("-D" + WorkerCommand.CLASS_PATH_PROPERTY));
            }
        } finally {
            java.nio.file.Files.delete(jars);
        }
    }

    /**
     * In a worker, the application's classes and resources come from the context class loader and
     * {@code java.class.path} is the pool's, while the system class loader holds the library alone, so
     * that the JDK's class-path-wide service lookups do not open every jar of the application.
     */
    @Test
    void workersLoadTheApplicationOffTheSystemClassLoader() {
        String resource = "META-INF/MANIFEST.MF";
        try (ProcessPoolExecutor pool = new ProcessPoolExecutor(1)) {
            String seen = pool.submit((SerializableCallable<String>) () -> {
                ClassLoader context = Thread.currentThread().getContextClassLoader();
                return (Probes.class.getClassLoader() == context) + "|"
                        + (context.loadClass(WorkerLifecycleTest.class.getName()) != null) + "|"
                        + java.util.Collections.list(context.getResources(resource)).size() + "|"
                        + java.util.Collections.list(ClassLoader.getSystemClassLoader().getResources(resource)).size()
                        + "|" + System.getProperty("java.class.path");
            }).result();
            String[] parts = seen.split("\\|", 5);
            assertThat(parts[0]).as("the test's classes come from the context class loader").isEqualTo("true");
            assertThat(parts[1]).isEqualTo("true");
            assertThat(Integer.parseInt(parts[2])).as("manifests the context class loader sees (one a jar)")
                    .isGreaterThan(5);
            assertThat(Integer.parseInt(parts[3])).as("manifests the system class loader sees").isLessThanOrEqualTo(1);
            assertThat(parts[4]).isEqualTo(System.getProperty("java.class.path"));
            assertThat(pool.workerCommand()).contains("-cp", WorkerCommand.libraryLocation());
        }
    }
}
