package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.RemoteTraceback;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import io.github.futures.spi.ExecutorSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What crosses the process boundary and how: values, exceptions with their remote stack traces,
 * things that cannot be serialized, filters, size limits, worker output, chunked map. The tests
 * that leave the pool working share one pool of two workers.
 */
@Timeout(60)
class ProcessPoolExecutorTest {

    private static ProcessPoolExecutor pool;

    @BeforeAll
    static void startPool() {
        pool = new ProcessPoolExecutor(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown(true, true);
    }

    /** A call runs in another JVM and its value comes back. */
    @Test
    void callRunsInAWorkerProcess() {
        long worker = pool.submit(Probes.pid()).result();
        assertThat(worker).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(pool.snapshot().workerDetails()).extracting(w -> w.pid()).contains(worker);
    }

    /** A remote exception keeps its type and message; the worker's stack trace is its cause, as CPython's _RemoteTraceback. */
    @Test
    void remoteExceptionKeepsTypeMessageAndWorkerStackTrace() {
        Future<Integer> f = pool.submit(Probes.failDeep("no such order"));
        Throwable e = f.exception();
        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("no such order");
        assertThat(e.getStackTrace()).extracting(StackTraceElement::getMethodName).contains("failingOrderLookup");
        assertThat(e.getCause()).isInstanceOf(RemoteTraceback.class);
        RemoteTraceback remote = (RemoteTraceback) e.getCause();
        assertThat(remote.trace())
                .startsWith("java.lang.IllegalStateException: no such order")
                .contains("Probes.failingOrderLookup")
                .contains("WorkerMain.runTask");
        assertThat(remote.getMessage()).startsWith("\n\"\"\"\n").endsWith("\"\"\"");
        assertThatThrownBy(f::result).isSameAs(e);
    }

    /** An exception that already has a cause keeps it; the remote traceback is then a suppressed exception. */
    @Test
    void remoteExceptionWithACauseGetsTheTracebackAsSuppressed() {
        Throwable e = pool.submit(Probes.failWithCause()).exception();
        assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("outer");
        assertThat(e.getCause()).isInstanceOf(ArithmeticException.class).hasMessage("inner");
        assertThat(e.getSuppressed()).singleElement().isInstanceOf(RemoteTraceback.class);
        assertThat(((RemoteTraceback) e.getSuppressed()[0]).trace()).contains("Caused by: java.lang.ArithmeticException: inner");
    }

    /** A result that cannot be serialized fails only its own future, naming the class; the pool goes on. */
    @Test
    void unserializableResultFailsOnlyItsFuture() {
        Throwable e = pool.submit(Probes.opaqueResult()).exception();
        assertThat(e).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining(Probes.Opaque.class.getName())
                .hasMessageContaining("could not be serialized");
        assertThat(pool.isBroken()).isFalse();
        assertThat(pool.submit((SerializableCallable<Integer>) () -> 6 * 7).result()).isEqualTo(42);
    }

    /** An exception that cannot be serialized still arrives with its class name, message and remote trace. */
    @Test
    void unserializableExceptionArrivesAsADescription() {
        Throwable e = pool.submit(Probes.opaqueFailure()).exception();
        assertThat(e).isInstanceOf(RuntimeException.class)
                .hasMessageContaining(Probes.OpaqueFailure.class.getName())
                .hasMessageContaining("cannot travel")
                .hasMessageContaining(Probes.Opaque.class.getName());
        assertThat(e.getCause()).isInstanceOf(RemoteTraceback.class);
        assertThat(pool.submit((SerializableCallable<Integer>) () -> 1).result()).isEqualTo(1);
    }

    /** A plain Callable passed through the Executor interface is refused at submit, with the class and the fix. */
    @Test
    void nonSerializableCallableIsRefusedAtSubmit() {
        Executor executor = pool;
        long before = pool.taskStats().submittedCount();
        Callable<Integer> plain = () -> 1;
        assertThatThrownBy(() -> executor.submit(plain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(plain.getClass().getName())
                .hasMessageContaining("java.io.Serializable")
                .hasMessageContaining("SerializableCallable");
        Runnable plainRunnable = () -> { };
        assertThatThrownBy(() -> executor.submit(plainRunnable)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SerializableRunnable");
        java.util.function.Function<Integer, Integer> plainFn = x -> x;
        assertThatThrownBy(() -> executor.map(plainFn, List.of(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SerializableFunction");
        assertThat(pool.taskStats().submittedCount()).as("refused calls are not counted").isEqualTo(before);
    }

    /** A serializable lambda that captures something unserializable is refused at submit, naming what it captured. */
    @Test
    void lambdaCapturingAnUnserializableObjectIsRefusedAtSubmit() {
        Probes.Opaque captured = new Probes.Opaque(5);
        long before = pool.taskStats().submittedCount();
        assertThatThrownBy(() -> pool.submit((SerializableCallable<Integer>) () -> captured.value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Probes.Opaque.class.getName())
                .hasCauseInstanceOf(NotSerializableException.class);
        assertThat(pool.taskStats().submittedCount()).as("a refused call is not counted").isEqualTo(before);
    }

    /** map with a chunk size sends one message per chunk (one submission each) and keeps item order. */
    @Test
    void mapWithChunksizeSendsOneMessagePerChunkInOrder() {
        List<Integer> items = IntStream.range(0, 10).boxed().toList();
        long before = pool.taskStats().submittedCount();
        SerializableFunction<Integer, String> fn = x -> x + "@" + ProcessHandle.current().pid();
        List<String> out;
        try (Stream<String> s = pool.map(fn, items, MapOptions.DEFAULTS.withChunksize(3))) {
            out = s.toList();
        }
        assertThat(pool.taskStats().submittedCount() - before).as("chunks sent").isEqualTo(4);
        assertThat(out).extracting(r -> Integer.parseInt(r.substring(0, r.indexOf('@')))).isEqualTo(items);
        for (int chunk = 0; chunk < 4; chunk++) {
            List<String> pids = out.subList(chunk * 3, Math.min(10, chunk * 3 + 3)).stream()
                    .map(r -> r.substring(r.indexOf('@'))).distinct().toList();
            assertThat(pids).as("items of chunk %d ran in one worker", chunk).hasSize(1);
        }
    }

    /** The two-iterable map runs in workers too. */
    @Test
    void mapOfTwoIterables() {
        try (Stream<Integer> s = pool.map((a, b) -> a * b, List.of(1, 2, 3), List.of(10, 20, 30, 40))) {
            assertThat(s.toList()).containsExactly(10, 40, 90);
        }
    }

    /** What a call prints reaches this JVM's stderr prefixed with the worker's pid, and never corrupts the channel. */
    @Test
    void workerOutputGoesToStderrWithThePidAndDoesNotCorruptTheProtocol() throws InterruptedException {
        String marker = "marker-" + System.nanoTime();
        CountDownLatch seen = new CountDownLatch(6); // all three calls' lines: none arrives after the capture ends
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        PrintStream original = System.err;
        System.setErr(new PrintStream(new LineSink(line -> {
            lines.add(line);
            if (line.contains(marker)) {
                seen.countDown();
            }
        }), true, StandardCharsets.UTF_8));
        try {
            long pid = pool.submit(Probes.pid()).result();
            for (int i = 0; i < 3; i++) {
                assertThat(pool.submit(Probes.noisy(marker)).result()).isEqualTo("quiet result");
            }
            assertThat(seen.await(30, TimeUnit.SECONDS)).as("marker lines on stderr").isTrue();
            // System.out and System.err both arrive, each line prefixed with the pid of the worker that printed it
            List<String> copy;
            synchronized (lines) { // worker stderr lines may still be arriving: iterate a copy
                copy = new ArrayList<>(lines);
            }
            assertThat(copy).filteredOn(l -> l.contains(marker))
                    .allMatch(l -> l.matches("\\[worker \\d+] .*" + marker + "(-err)?"))
                    .anyMatch(l -> l.endsWith(marker)).anyMatch(l -> l.endsWith(marker + "-err"));
            assertThat(pool.submit(Probes.pid()).result()).isPositive();
            assertThat(pool.isBroken()).isFalse();
            assertThat(pid).isPositive();
        } finally {
            System.setErr(original);
        }
    }

    /** A pool named by threadNamePrefix gives its name to this JVM's threads that serve it and to the lines its workers print. */
    @Test
    void threadNamePrefixNamesThePoolsThreadsAndForwardedLines() throws InterruptedException {
        String marker = "named-" + System.nanoTime();
        try (StderrLines err = new StderrLines();
             ProcessPoolExecutor named = ProcessPoolExecutor.builder().maxWorkers(1).threadNamePrefix("reports").build()) {
            long pid = named.submit((SerializableCallable<Long>) () -> {
                System.out.println(marker);
                return ProcessHandle.current().pid();
            }).result();
            assertThat(err.await("[reports worker " + pid + "] " + marker, java.time.Duration.ofSeconds(30)))
                    .as("the worker's line, prefixed with the pool's name and the pid").isTrue();
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .contains("reports-worker-0", "reports-worker-0-stderr");
            assertThat(named.snapshot().workerDetails()).extracting(w -> w.name()).containsExactly("reports-worker-0");
            assertThat(named.snapshot().config()).containsEntry("threadNamePrefix", "reports");
            assertThat(named.toString()).contains("reports");
        }
    }

    /** A worker talks to its parent over pipes only: it has no socket at all, so no listening port. */
    @Test
    void workersHaveNoSocket() {
        try (ProcessPoolExecutor fresh = new ProcessPoolExecutor(1)) {
            List<String> sockets = fresh.submit(Probes.socketDescriptors()).result();
            assertThat(sockets).isEmpty();
        }
    }

    /** A call larger than maxMessageSize is refused at submit, a result larger than it fails its future; both say so. */
    @Test
    void messagesLargerThanTheLimitAreRefusedWithAClearError() {
        try (ProcessPoolExecutor small = ProcessPoolExecutor.builder().maxWorkers(1).maxMessageSize(64 * 1024).build()) {
            byte[] big = new byte[100_000];
            assertThatThrownBy(() -> small.submit((SerializableCallable<Integer>) () -> big.length))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxMessageSize (65536 bytes)");
            assertThat(small.submit(Probes.bytes(1000)).result()).hasSize(1000);
            Throwable e = small.submit(Probes.bytes(100_000)).exception();
            assertThat(e).isInstanceOf(java.io.IOException.class).hasMessageContaining("maxMessageSize (65536 bytes)")
                    .hasMessageContaining("[B");
            assertThat(small.submit(Probes.bytes(10)).result()).hasSize(10);
        }
    }

    /** The deserialization filter applies on both sides and the error names the refused class. */
    @Test
    void deserializationFilterRefusesClassesOnBothSides() {
        String forbidden = Probes.Forbidden.class.getName();
        try (ProcessPoolExecutor filtered = ProcessPoolExecutor.builder().maxWorkers(1).serialFilter("!" + forbidden).build()) {
            Throwable parentSide = filtered.submit(Probes.forbiddenResult()).exception();
            assertThat(parentSide).isInstanceOf(InvalidObjectException.class).hasMessageContaining(forbidden)
                    .hasMessageContaining("deserialization filter");
            Probes.Forbidden arg = new Probes.Forbidden(4);
            Throwable workerSide = filtered.submit((SerializableCallable<Integer>) () -> arg.value()).exception();
            assertThat(workerSide).isInstanceOf(InvalidObjectException.class).hasMessageContaining(forbidden)
                    .hasMessageContaining("could not deserialize the task");
            assertThat(filtered.submit((SerializableCallable<Integer>) () -> 5).result()).isEqualTo(5);
        }
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().serialFilter("maxdepth=oops"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Calls sent ahead to a worker that is stuck in a long call are taken back and run by the other
     * worker once it is idle: none waits for the long call (CPython's extra queued call is shared too).
     */
    @Test
    void callsSentAheadToABusyWorkerRunElsewhere() {
        io.github.futures.contract.Gate gate = io.github.futures.contract.Gate.create();
        try (io.github.futures.contract.Signal started = io.github.futures.contract.Signal.create()) {
            pool.submit(Probes.pid()).result();
            Future<Long> blocked = pool.submit((SerializableCallable<Long>) () -> {
                started.fire();
                gate.await();
                return ProcessHandle.current().pid();
            });
            started.awaitCount(1);
            List<Future<Long>> quick = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                quick.add(pool.submit(Probes.pid()));
            }
            var outcome = io.github.futures.Futures.wait(quick, java.time.Duration.ofSeconds(30));
            assertThat(outcome.notDone()).as("calls still waiting behind the blocked one").isEmpty();
            assertThat(blocked.done()).isFalse();
            gate.open();
            long blockedPid = blocked.result();
            assertThat(quick).allSatisfy(f -> assertThat(f.result()).isNotEqualTo(blockedPid));
        } finally {
            gate.open();
        }
    }

    /** The snapshot shows kind, state, workers with pids, and counts. */
    @Test
    void snapshotDescribesThePool() {
        pool.submit(Probes.pid()).result();
        ExecutorSnapshot s = pool.snapshot();
        assertThat(s.kind()).isEqualTo("process");
        assertThat(s.state()).isEqualTo(ExecutorSnapshot.RUNNING);
        assertThat(s.maxWorkers()).isEqualTo(2);
        assertThat(s.workers()).isBetween(1, 2);
        assertThat(s.workerDetails()).allSatisfy(w -> {
            assertThat(w.pid()).isPositive();
            assertThat(w.startedAt()).isNotNull();
        });
        assertThat(s.workerDetails().stream().mapToLong(w -> w.tasksCompleted()).sum()).isPositive();
        assertThat(s.submitted()).isPositive();
        assertThat(s.brokenReason()).isNull();
        assertThat(s.config()).containsKeys("maxWorkers", "jvmOptions", "javaExecutable");
    }

    /** Writes complete lines to a consumer. */
    private static final class LineSink extends java.io.OutputStream {
        private final java.util.function.Consumer<String> sink;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSink(java.util.function.Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                sink.accept(line.toString(StandardCharsets.UTF_8).stripTrailing());
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
