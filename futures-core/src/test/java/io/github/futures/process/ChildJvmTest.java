package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Process pools in a JVM of their own: the seed example from a main, and what happens to workers when their parent is killed. */
@Timeout(120)
class ChildJvmTest {

    private static Process java(Class<?> main) throws IOException {
        String java = WorkerCommand.currentJava();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), main.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The seed's process example, run from a main, prints "1000000000000 is prime: False" ... in order. */
    @Test
    void seedProcessExamplePrintsEveryNumberInOrder() throws Exception {
        List<String> expected = new ArrayList<>();
        for (long n = 1_000_000_000_000L; n < 1_000_000_000_200L; n++) {
            boolean prime = n % 2 != 0;
            for (long d = 3; prime && d * d <= n; d += 2) {
                prime = n % d != 0;
            }
            expected.add(n + " is prime: " + (prime ? "True" : "False"));
        }
        assertThat(expected).contains("1000000000039 is prime: True").first().isEqualTo("1000000000000 is prime: False");
        Process p = java(SeedProcessExample.class);
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(lines).containsExactlyElementsOf(expected);
    }

    /** When the parent JVM is killed with kill -9, its workers see their standard input close and exit within 5 s. */
    @Test
    void workersOfAKilledParentExit() throws Exception {
        Process parent = java(OrphanParentMain.class);
        List<Long> pids;
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            assertThat(line).startsWith("WORKERS ");
            pids = Arrays.stream(line.substring("WORKERS ".length()).split(" ")).map(Long::valueOf).toList();
            assertThat(pids).hasSize(2);
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("worker %d before", pid).contains(true);
            }
        } finally {
            parent.destroyForcibly(); // SIGKILL: no shutdown hook, nothing of the parent runs
        }
        assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long killedAt = System.nanoTime();
        for (long pid : pids) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                CompletableFuture<ProcessHandle> exit = h.get().onExit();
                long left = TimeUnit.SECONDS.toNanos(5) - (System.nanoTime() - killedAt);
                exit.get(Math.max(0L, left), TimeUnit.NANOSECONDS);
            }
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("worker %d alive", pid).isFalse();
        }
    }
}
