package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Security of the process pool, seen from the operating system: the workers' standard streams are
 * pipes, and neither the workers nor the pool (in this JVM) listen on a TCP or Unix-domain socket.
 * The process pool's own tests check the same from inside a worker
 * ({@code ProcessPoolExecutorTest.workersHaveNoSocket}) and the deserialization filter on both sides
 * ({@code ProcessPoolExecutorTest.deserializationFilterRefusesClassesOnBothSides}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessSecurityTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    // ---------------------------------------------------------------- /proc reading (Linux)

    /** Inodes of the sockets a process has open, from the links in /proc/<pid>/fd. */
    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                String target = linkTarget(fd);
                if (target != null && target.startsWith("socket:[")) {
                    inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
        }
        return inodes;
    }

    private static String linkTarget(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException closedMeanwhile) {
            return null;
        }
    }

    /** Inodes of every listening TCP (v4, v6) and Unix-domain socket on the machine. */
    private static Set<String> listeningInodes() throws IOException {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path p = Path.of("/proc/net", table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A")) { // TCP_LISTEN
                    inodes.add(f[9]);
                }
            }
        }
        Path unix = Path.of("/proc/net/unix");
        if (Files.exists(unix)) {
            List<String> lines = Files.readAllLines(unix);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if ((Integer.parseInt(f[3], 16) & 0x10000) != 0) { // __SO_ACCEPTCON: a listening socket
                    inodes.add(f[6]);
                }
            }
        }
        return inodes;
    }

    /** What a process listens on: its socket inodes that are listening ones. */
    private static Set<String> listeningOwnedBy(long pid) throws IOException {
        Set<String> owned = socketInodes(pid);
        owned.retainAll(listeningInodes());
        return owned;
    }

    /** Workers speak over pipes only: their stdin/stdout/stderr are pipes, and neither they nor the pool open a listening socket. */
    @Test
    void workerIpcUsesPipesOnlyAndNothingListens() throws Exception {
        assumeThat(Path.of("/proc/self/fd")).as("needs Linux /proc").exists();
        long self = ProcessHandle.current().pid();
        Set<String> listeningBefore = listeningOwnedBy(self);

        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2).build();
        try {
            Gate gate = Gate.create();
            List<Future<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                fs.add(pool.submit((SerializableCallable<Long>) () -> {
                    gate.await();
                    return ProcessHandle.current().pid();
                }));
            }
            gate.open();
            Set<Long> ran = new HashSet<>();
            for (Future<Long> f : fs) {
                ran.add(f.result(LONG));
            }
            // Idle workers stay alive until shutdown: inspect every live one.
            List<Long> workers = Processes.workerPids(pool);
            assertThat(workers).containsAll(ran).isNotEmpty();
            TreeMap<String, String> seen = new TreeMap<>();
            for (long w : workers) {
                for (int fd = 0; fd <= 2; fd++) {
                    String target = linkTarget(Path.of("/proc", Long.toString(w), "fd", Integer.toString(fd)));
                    seen.put(w + "/fd/" + fd, target);
                    assertThat(target).as("worker %d fd %d", w, fd).startsWith("pipe:[");
                }
                assertThat(listeningOwnedBy(w)).as("listening sockets of worker %d", w).isEmpty();
                assertThat(socketInodes(w)).as("sockets of any kind in worker %d", w).isEmpty();
                seen.put(w + " sockets", socketInodes(w).toString());
            }
            Set<String> listeningNow = listeningOwnedBy(self);
            listeningNow.removeAll(listeningBefore);
            assertThat(listeningNow).as("listening sockets the pool opened in this JVM").isEmpty();
            System.out.println("[reliability] worker IPC: " + seen + "; new listening sockets in the parent: " + listeningNow);
        } finally {
            pool.shutdown(true, false);
        }
    }
}
