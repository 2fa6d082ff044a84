package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.spi.ExecutorSnapshot;
import java.io.InvalidObjectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults in worker JVMs that the process pool's own tests ({@code io.github.futures.process}) do not
 * cover, with real worker processes: what the caller sees, and that the pool and its worker go on.
 * The abrupt deaths (halt, exit, kill -9, out of memory), raw writes to the real standard output,
 * oversized and unserializable messages, a failing initializer and a killed parent are tested there;
 * RELIABILITY.md lists them all. Each test here prints one {@code [reliability]} line.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessFaultsTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private final List<ProcessPoolExecutor> pools = new ArrayList<>();

    private ProcessPoolExecutor pool(ProcessPoolExecutor.Builder b) {
        ProcessPoolExecutor p = b.build();
        pools.add(p);
        return p;
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (ProcessPoolExecutor p : pools) {
            List<Long> pids = Processes.workerPids(p);
            p.killWorkers();
            assertThat(p.awaitTermination(LONG)).as("%s terminated", p).isTrue();
            for (long pid : pids) {
                assertThat(Processes.awaitExit(pid, Duration.ofSeconds(10))).as("worker %d gone", pid).isPresent();
            }
        }
    }

    private static void report(String scenario, Object... facts) {
        StringBuilder s = new StringBuilder("[reliability] ").append(scenario);
        for (int i = 0; i + 1 < facts.length; i += 2) {
            s.append(" | ").append(facts[i]).append(": ").append(facts[i + 1]);
        }
        System.out.println(s);
    }

    /** The pool works: a call runs in a worker and comes back. */
    private static void assertWorks(ProcessPoolExecutor p) {
        assertThat(p.submit((SerializableCallable<Integer>) () -> 6 * 7).result(LONG)).isEqualTo(42);
        assertThat(p.snapshot().state()).isEqualTo(ExecutorSnapshot.RUNNING);
    }

    private static long pidOf(ProcessPoolExecutor p) {
        return p.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(LONG);
    }

    /** A stack overflow fails only its own task with StackOverflowError; the same worker goes on. */
    @Test
    void stackOverflowFailsOnlyItsTask() {
        ProcessPoolExecutor p = pool(ProcessPoolExecutor.builder().maxWorkers(1));
        long pid = pidOf(p);
        Future<Integer> f = p.submit((SerializableCallable<Integer>) ProcessFaultsTest::recurse);
        Throwable e = f.exception(LONG);
        assertThat(e).isInstanceOf(StackOverflowError.class);
        assertThat(e.getStackTrace()).as("the remote frames came back").isNotEmpty();
        assertWorks(p);
        assertThat(pidOf(p)).as("same worker process").isEqualTo(pid);
        report("stack overflow in a task", "caller sees", e.getClass().getName(), "frames", e.getStackTrace().length,
                "pool", p.snapshot().state());
    }

    private static int recurse() {
        return recurse() + 1;
    }

    /** A task whose class the worker cannot load fails its future with a message naming the class; the pool goes on. */
    @Test
    void taskClassMissingInTheWorkerFailsOnlyItsFuture(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/extra/OnlyInParent.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package extra;
                public class OnlyInParent implements java.util.concurrent.Callable<String>, java.io.Serializable {
                    private static final long serialVersionUID = 1L;
                    public String call() { return "ran"; }
                }
                """, StandardCharsets.UTF_8);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), src.toString())).isZero();
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            @SuppressWarnings("unchecked")
            Callable<String> task = (Callable<String>) loader.loadClass("extra.OnlyInParent").getConstructor().newInstance();
            assertThat(task.call()).isEqualTo("ran"); // it works here, in the parent
            ProcessPoolExecutor p = pool(ProcessPoolExecutor.builder().maxWorkers(1));
            Future<String> f = p.submit(task);
            Throwable e = f.exception(LONG);
            assertThat(e).isInstanceOf(InvalidObjectException.class).hasMessageContaining("extra.OnlyInParent");
            assertThat(e).hasRootCauseInstanceOf(ClassNotFoundException.class);
            assertWorks(p);
            report("task class missing in the worker", "caller sees", e);
        }
    }

    /** A linked structure n levels deep (each level one serialization frame). */
    static final class Nested implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final Nested next;

        Nested(Nested next) {
            this.next = next;
        }

        static Nested depth(int n) {
            Nested head = null;
            for (int i = 0; i < n; i++) {
                head = new Nested(head);
            }
            return head;
        }
    }

    /**
     * Results nested too deep: 500 levels pass the worker's serializer but exceed the filter's depth
     * limit (set to 100 here) in this JVM; 1 000 000 levels overflow the worker's stack while it
     * serializes (so do 3 000, with the worker's default stack). Each fails only its own future, with
     * a message that says which; the worker goes on.
     */
    @Test
    void resultsNestedTooDeepFailOnlyTheirFuture() {
        ProcessPoolExecutor p = pool(ProcessPoolExecutor.builder().maxWorkers(1).serialFilter("maxdepth=100"));
        long pid = pidOf(p);
        Throwable deep = p.submit((SerializableCallable<Nested>) () -> Nested.depth(500)).exception(LONG);
        assertThat(deep).isInstanceOf(InvalidObjectException.class).hasMessageContaining("depth");
        Throwable abyss = p.submit((SerializableCallable<Nested>) () -> Nested.depth(1_000_000)).exception(LONG);
        assertThat(abyss).isInstanceOf(java.io.NotSerializableException.class).hasMessageContaining("StackOverflowError");
        assertWorks(p);
        assertThat(pidOf(p)).as("same worker process").isEqualTo(pid);
        report("result nested 500 deep, filter maxdepth=100", "caller sees", deep);
        report("result nested 1 000 000 deep", "caller sees", abyss);
    }
}
