package io.github.futures.reliability;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.spi.WorkerSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** OS-level helpers for the process-pool reliability tests (Linux; the build machines run it). */
final class Processes {

    private Processes() {
    }

    /** The pids of the pool's live workers, from its snapshot. */
    static List<Long> workerPids(ProcessPoolExecutor pool) {
        return pool.snapshot().workerDetails().stream().map(WorkerSnapshot::pid).filter(p -> p > 0).toList();
    }

    /** Sends SIGKILL with the {@code kill -9} command, as an operator would, and waits for the command. */
    static void kill9(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -9 " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
    }

    /**
     * Whether a process with this pid still runs. A zombie (ended, not yet reaped by its parent; an
     * orphan's is reaped by pid 1 whenever that gets to it) counts as ended: it runs no code and
     * holds no memory or pipes. Reads {@code /proc/<pid>/stat} where there is one.
     */
    static boolean alive(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc", "self"))) {
            try {
                String s = Files.readString(stat);
                char state = s.charAt(s.lastIndexOf(')') + 2);
                return state != 'Z' && state != 'X';
            } catch (IOException | RuntimeException gone) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Waits until the process has exited; returns how long that took, or empty if it was still
     * alive after {@code limit}. The process is not our child (a pool's worker, or an orphan), and
     * for those the JDK's {@code onExit()} itself polls with growing pauses (up to seconds), which
     * would blur the measurement; so this checks every 5 ms. Test-side only.
     */
    static Optional<Duration> awaitExit(long pid, Duration limit) {
        long t0 = System.nanoTime();
        long deadline = t0 + limit.toNanos();
        while (alive(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return Optional.empty();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return Optional.of(Duration.ofNanos(System.nanoTime() - t0));
    }
}
