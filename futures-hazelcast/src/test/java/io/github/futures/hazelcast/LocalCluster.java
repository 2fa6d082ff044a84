package io.github.futures.hazelcast;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real Hazelcast cluster on this machine, loopback only: one member in the test JVM and
 * {@code children} members in child JVMs started from the test class path. The child JVMs are
 * destroyed by {@link #close()}, by a JVM shutdown hook, and on their own when their standard input
 * closes, so none outlives the test run.
 */
final class LocalCluster implements AutoCloseable {

    /** The JVM options Hazelcast asks for on JDK 17+, given to the child members too. */
    static final List<String> JVM_OPTIONS = List.of(
            "--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Dhazelcast.phone.home.enabled=false");

    /** A member in a child JVM. */
    record Child(Process process, long pid, int port) {
    }

    final String clusterName = "futures-test-" + UUID.randomUUID();
    final HazelcastInstance hz;
    final List<Child> children = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread reaper = new Thread(this::destroyChildren, "destroy-test-members");

    LocalCluster(int childCount) throws Exception {
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            List<Integer> ports = freePorts(childCount + 1);
            List<String> members = new ArrayList<>();
            for (int p : ports) {
                members.add("127.0.0.1:" + p);
            }
            String memberList = String.join(",", members);
            // The test JVM's member starts first and becomes the master; the children join it.
            hz = Hazelcast.newHazelcastInstance(TestMember.config(clusterName, ports.get(0), members));
            List<CompletableFuture<String>> ready = new ArrayList<>();
            for (int i = 1; i <= childCount; i++) {
                ready.add(startChild(ports.get(i), memberList, i));
            }
            for (int i = 0; i < childCount; i++) {
                String[] line = ready.get(i).get(120, TimeUnit.SECONDS).split(" ");
                children.add(new Child(processes.get(i), Long.parseLong(line[1]), Integer.parseInt(line[2])));
            }
            awaitMembers(childCount + 1);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private CompletableFuture<String> startChild(int port, String memberList, int index) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-Xmx256m");
        // Test members only: C1 and the serial collector start faster and use less CPU on small machines.
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TestMember.class.getName());
        cmd.add(clusterName);
        cmd.add(Integer.toString(port));
        cmd.add(memberList);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        Path log = Path.of("target", "cluster-logs", clusterName + "-member-" + index + ".log");
        Files.createDirectories(log.getParent());
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    if (line.startsWith("READY ")) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(new UncheckedIOException(e));
            }
            if (!ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException("member " + index
                        + " closed its output before it was ready; see " + log.toAbsolutePath()));
            }
        }, "test-member-" + index + "-output");
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    /** Waits (no polling) until the test JVM's member sees {@code n} members. */
    void awaitMembers(int n) throws InterruptedException {
        CountDownLatch enough = new CountDownLatch(1);
        UUID reg = hz.getCluster().addMembershipListener(new InitialMembershipListener() {
            @Override
            public void init(InitialMembershipEvent event) {
                check(event.getMembers().size());
            }

            @Override
            public void memberAdded(MembershipEvent event) {
                check(event.getMembers().size());
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                check(event.getMembers().size());
            }

            private void check(int size) {
                if (size == n) {
                    enough.countDown();
                }
            }
        });
        try {
            if (!enough.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("cluster did not reach " + n + " members: " + hz.getCluster().getMembers());
            }
        } finally {
            hz.getCluster().removeMembershipListener(reg);
        }
    }

    Member memberOf(Child child) {
        for (Member m : hz.getCluster().getMembers()) {
            if (m.getAddress().getPort() == child.port()) {
                return m;
            }
        }
        throw new IllegalStateException("no member on port " + child.port());
    }

    /** The process ids of all members: this JVM first. */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        for (Child c : children) {
            pids.add(c.pid());
        }
        return pids;
    }

    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private void destroyChildren() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        destroyChildren();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException alreadyExiting) {
            // the hook is running or has run
        }
        if (hz != null) {
            hz.getLifecycleService().terminate();
        }
    }

}
