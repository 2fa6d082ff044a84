package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's two threads: a short call runs on the thread that read it and wakes no other thread; a call
 * that runs on has the other thread take over reading (so what the parent sends meanwhile is seen).
 */
@Timeout(60)
class WorkerHandOverTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    /**
     * Voluntary context switches of the threads of a process (Linux) that can be a worker's two threads, by
     * thread id: named {@code futures-worker-2} (cut to 15 characters) or left with the launcher's name
     * (the main thread).
     */
    private static Map<String, Long> switches(long pid) throws IOException {
        Map<String, Long> byTid = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String name = Files.readString(task.resolve("comm")).trim();
                if (!name.equals("java") && !name.equals("futures-worker-")) {
                    continue;
                }
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:")) {
                        byTid.put(task.getFileName().toString(), Long.parseLong(line.substring(line.indexOf(':') + 1).trim()));
                    }
                }
            }
        }
        return byTid;
    }

    /**
     * 2 000 round trips of a call that returns at once: the worker thread that reads them waits for
     * nearly each (a quarter is asserted, to show that the right threads are counted), the other thread
     * wakes about once per {@link WorkerMain#HANDOVER_NANOS} of the run at most, not once per call.
     * Handing the reader role to the other thread at every call (as this worker did before) woke it
     * 2 000 times.
     */
    @Test
    void shortCallsWakeNoSecondThread() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc");
        SerializableCallable<Integer> one = () -> 1;
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        try {
            long pid = pool.submit(Probes.pid()).result(LIMIT);
            for (int i = 0; i < 200; i++) {
                pool.submit(one).result(LIMIT);
            }
            Map<String, Long> before = switches(pid);
            int calls = 2_000;
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                assertThat(pool.submit(one).result(LIMIT)).isEqualTo(1);
            }
            long elapsed = System.nanoTime() - start;
            Map<String, Long> after = switches(pid);
            List<Long> deltas = new ArrayList<>();
            before.forEach((tid, n) -> deltas.add(after.getOrDefault(tid, n) - n));
            deltas.sort(Comparator.reverseOrder());
            assertThat(deltas).as("the launcher's thread and the worker's two").hasSizeGreaterThanOrEqualTo(2);
            long reading = deltas.get(0);
            long other = deltas.get(1);
            long ticks = elapsed / WorkerMain.HANDOVER_NANOS;
            assertThat(reading).as("the reading thread waits for each call (%d calls in %d ms)", calls, elapsed / 1_000_000L)
                    .isGreaterThanOrEqualTo(calls / 4); // not every call: a frame may arrive before the read that takes it
            assertThat(other).as("the other thread's wake-ups (%d calls in %d ms)", calls, elapsed / 1_000_000L)
                    .isLessThanOrEqualTo(2 * ticks + 50);
        } finally {
            pool.killWorkers(); // a worker that stopped answering must not keep the test waiting
        }
    }

    /**
     * A call that waits: the worker's other thread takes the reader role over, and a thread dump shows it
     * reading standard input while the call waits.
     */
    @Test
    void aCallThatRunsOnHandsReadingToTheOtherThread() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        try (Gate gate = new Gate()) {
            Future<Long> call = pool.submit(gate.call());
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            long pid = pool.snapshot().workerDetails().get(0).pid();
            String dump = "";
            for (int i = 0; i < 50 && !readerIn(dump); i++) {
                dump = pool.threadDump(pid); // each dump takes a while: the hand-over comes 10 ms after the call's start
            }
            assertThat(readerIn(dump)).as("a thread reads while the call runs:%n%s", dump).isTrue();
            assertThat(dump).contains(Gate.class.getName());
            gate.releaseAll();
            assertThat(call.result(LIMIT)).isEqualTo(pid);
        } finally {
            pool.killWorkers();
        }
    }

    private static boolean readerIn(String dump) {
        List<String> frames = dump.lines().toList();
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).contains("java.io.FileInputStream.read")) {
                for (int j = i + 1; j < Math.min(frames.size(), i + 20); j++) {
                    if (frames.get(j).contains(WorkerMain.class.getName() + "$Loop.")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
