package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.SerializableCallable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default cluster name is private to the user: members of this user find each other by it, a member
 * named {@code futures} (the old default, known to everybody) cannot join them, and the secret is kept in a
 * private file, refused when others could read or replace it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DefaultClusterNameTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** The secret of this JVM's default name, from the file the tests' XDG_CONFIG_HOME points at. */
    private static String secretOfThisJvm() throws IOException {
        Path dir = DefaultClusterName.directory();
        assertThat(dir).as("tests keep the secret in the build directory, never in ~/.config")
                .isNotNull().isEqualTo(Path.of(System.getenv("XDG_CONFIG_HOME"), "futures"));
        return Files.readString(dir.resolve(DefaultClusterName.FILE_NAME)).trim();
    }

    /** Two executors of one JVM built without a cluster name share the per-user name and form one cluster. */
    @Test
    void executorsWithTheDefaultNameFormOneClusterWhoseNameIsNotShown() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        List<String> members = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
        try (ClusterExecutor a = ClusterExecutor.builder().port(p1).members(members).build();
             ClusterExecutor b = ClusterExecutor.builder().port(p2).members(members).build()) {
            String secret = secretOfThisJvm();
            assertThat(secret).matches("[0-9a-f]{32}");
            assertThat(a.hazelcastInstance().getConfig().getClusterName()).isEqualTo("futures-" + secret);
            assertThat(b.hazelcastInstance().getConfig().getClusterName()).isEqualTo("futures-" + secret);
            assertThat(a.awaitMembers(2, WAIT)).isTrue();
            assertThat(a.hazelcastInstance().getCluster().getMembers()).hasSize(2);

            assertThat(a.snapshot().config()).containsEntry("clusterName", "futures-<per-user>");
            assertThat(a.snapshot().toString()).doesNotContain(secret);
            assertThat(a.hazelcastInstance().getName()).doesNotContain(secret);
            assertThat(a.hazelcastInstance().getConfig().getProperty("hazelcast.logging.details.enabled"))
                    .as("Hazelcast's log line prefix names the cluster").isEqualTo("false");
        }
    }

    /**
     * Hazelcast's own start-up line names the cluster ({@code Cluster name: ...} at INFO, through JUL,
     * which a Spring Boot application sends to its log): it shows the default name, not the secret.
     * Regression: the secret was in every application log that kept Hazelcast's INFO lines.
     */
    @Test
    void hazelcastsOwnLogDoesNotShowTheSecret() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                Object[] ps = r.getParameters();
                logged.add(r.getLoggerName() + " " + m + (ps == null ? "" : " " + java.util.Arrays.toString(ps)));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        Logger system = Logger.getLogger("com.hazelcast.system");
        Level before = system.getLevel();
        system.setLevel(Level.INFO); // whatever the tests' logging configuration says
        int port = freePort();
        try (ClusterExecutor e = ClusterExecutor.builder().port(port).members(List.of("127.0.0.1:" + port)).build()) {
            String secret = secretOfThisJvm();
            assertThat(e.submit((SerializableCallable<Integer>) () -> 1).result(WAIT)).isEqualTo(1);
            assertThat(logged).as("Hazelcast's start-up line, with the name shown").anyMatch(l ->
                    l.startsWith("com.hazelcast.system ") && l.contains("Cluster name: futures-<per-user>"));
            assertThat(logged).noneMatch(l -> l.contains(secret));
        } finally {
            root.removeHandler(capture);
            system.setLevel(before);
        }
    }

    /** ClusterNode without --cluster-name uses the same per-user name, with no secret in its instance name. */
    @Test
    void clusterNodeWithoutANameUsesThePerUserName() throws IOException {
        Config config = ClusterNode.configFromArgs("--port=" + freePort());
        String secret = secretOfThisJvm();
        assertThat(config.getClusterName()).isEqualTo("futures-" + secret);
        assertThat(config.getInstanceName()).doesNotContain(secret).startsWith("futures-futures-per-user-");
        assertThat(DefaultClusterName.shown(config.getClusterName())).isEqualTo("futures-<per-user>");
        assertThat(DefaultClusterName.shown("demo")).isEqualTo("demo");
        assertThat(ClusterNode.configFromArgs("--cluster-name=" + ClusterNode.DEFAULT_CLUSTER_NAME).getClusterName())
                .as("a name given explicitly is used as it is").isEqualTo("futures");
    }

    /**
     * A ClusterNode started without --cluster-name, in a child JVM (same user, same XDG_CONFIG_HOME), joins a
     * default member of this JVM, and its "is up" line shows the name without the secret.
     */
    @Test
    void clusterNodeInAnotherJvmJoinsTheDefaultClusterAndDoesNotPrintTheSecret() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        String members = "127.0.0.1:" + p1 + ",127.0.0.1:" + p2;
        try (ClusterExecutor ours = ClusterExecutor.builder().port(p1).members(List.of(members.split(","))).build()) {
            String secret = secretOfThisJvm();
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(LocalCluster.JVM_OPTIONS);
            cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), ClusterNode.class.getName(), "--port=" + p2,
                    "--members=" + members));
            Process node = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                CompletableFuture<String> up = new CompletableFuture<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            if (line.contains("is up in cluster")) {
                                up.complete(line);
                            }
                        }
                        up.completeExceptionally(new IOException("the node's output ended"));
                    } catch (IOException e) {
                        up.completeExceptionally(e);
                    }
                }, "node-output");
                reader.setDaemon(true);
                reader.start();
                assertThat(up.get(60, TimeUnit.SECONDS)).contains("is up in cluster 'futures-<per-user>'")
                        .doesNotContain(secret);
                assertThat(ours.awaitMembers(2, WAIT)).as("the node joined this JVM's default member").isTrue();
            } finally {
                node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A member started with the old default name, {@code futures}, and pointed at a default member does
     * not join it, and a client presenting that name cannot connect to it to run calls there.
     */
    @Test
    void memberNamedFuturesCannotJoinADefaultMemberNorRunCallsThere() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        List<String> members = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
        try (ClusterExecutor ours = ClusterExecutor.builder().port(p1).members(members).build()) {
            Config config = ClusterNode.config(ClusterNode.DEFAULT_CLUSTER_NAME, ClusterNode.DEFAULT_INTERFACE, p2,
                    members, ClusterNode.DEFAULT_EXECUTOR_NAME, 2);
            HazelcastInstance other = Hazelcast.newHazelcastInstance(config); // returns once its join is over
            try {
                assertThat(other.getCluster().getMembers()).hasSize(1);
                assertThat(ours.hazelcastInstance().getCluster().getMembers()).hasSize(1);
                assertThat(ours.snapshot().workers()).isEqualTo(1);
                assertThat(ours.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT))
                        .isEqualTo(ProcessHandle.current().pid());
            } finally {
                other.getLifecycleService().terminate();
            }

            ClientConfig client = new ClientConfig();
            client.setClusterName(ClusterNode.DEFAULT_CLUSTER_NAME);
            client.setProperty("hazelcast.phone.home.enabled", "false");
            client.getNetworkConfig().addAddress("127.0.0.1:" + p1);
            client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
            assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(client).shutdown())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    /** The secret file is made with private modes (and so are the directories made for it), then reused. */
    @Test
    void secretFileIsMadePrivateAndReused() throws IOException {
        assumeTrue(posix(), "POSIX modes");
        Path dir = tmp.resolve("config").resolve("futures");
        DefaultClusterName.Name first = DefaultClusterName.resolve(dir);
        Path file = dir.resolve(DefaultClusterName.FILE_NAME);
        String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
        assertThat(first.value()).isEqualTo("futures-" + secret);
        assertThat(first.shown()).isEqualTo("futures-<per-user>");
        assertThat(first.toString()).doesNotContain(secret);
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(dir.getParent())).isEqualTo("rwx------");
        try (var listing = Files.list(dir)) {
            assertThat(listing).as("no temporary file is left").containsExactly(file);
        }
        assertThat(DefaultClusterName.resolve(dir)).isEqualTo(first);
    }

    /** Two threads (as two JVMs would) making the secret at once end with one secret. */
    @Test
    void concurrentFirstUseEndsWithOneSecret() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                Path dir = tmp.resolve("race-" + round).resolve("futures");
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<DefaultClusterName.Name>> names = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    names.add(threads.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return DefaultClusterName.resolve(dir);
                    }));
                }
                DefaultClusterName.Name one = names.get(0).get(10, TimeUnit.SECONDS);
                assertThat(names.get(1).get(10, TimeUnit.SECONDS)).isEqualTo(one);
                assertThat(one.shown()).isEqualTo("futures-<per-user>");
                assertThat(one.value()).isEqualTo("futures-"
                        + Files.readString(dir.resolve(DefaultClusterName.FILE_NAME)).trim());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** A secret file others may read is refused: the name is this JVM's own, with a warning. */
    @Test
    void secretFileReadableByOthersIsRefused() throws IOException {
        assumeTrue(posix(), "POSIX modes");
        Path dir = tmp.resolve("futures");
        String secret = made(dir);
        Files.setPosixFilePermissions(dir.resolve(DefaultClusterName.FILE_NAME), PosixFilePermissions.fromString("rw-r-----"));
        assertRefused(dir, secret, "is open to other users");
    }

    /** A secret file that is a symbolic link (to a private file of this user's, even) is refused. */
    @Test
    void secretFileThatIsASymbolicLinkIsRefused() throws IOException {
        assumeTrue(posix(), "POSIX modes");
        String secret = made(tmp.resolve("elsewhere").resolve("futures"));
        Path dir = tmp.resolve("futures");
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(dir.resolve(DefaultClusterName.FILE_NAME),
                tmp.resolve("elsewhere").resolve("futures").resolve(DefaultClusterName.FILE_NAME));
        assertRefused(dir, secret, "is a symbolic link");
    }

    /** A secret file in a directory other users may write to (or in a directory under one) is refused. */
    @Test
    void secretFileInADirectoryOthersMayWriteIsRefused() throws IOException {
        assumeTrue(posix(), "POSIX modes");
        Path dir = tmp.resolve("a").resolve("futures");
        String secret = made(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx-wx-wx"));
        assertRefused(dir, secret, "is open to other users");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        assertThat(DefaultClusterName.resolve(dir).value()).isEqualTo("futures-" + secret);
        Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertRefused(dir, secret, "may be written to by other users");
    }

    /** No home and no XDG_CONFIG_HOME: a name of this JVM's own, with a warning, and nothing fails. */
    @Test
    void withoutADirectoryTheNameIsThisJvmsOwn() {
        List<String> warnings = captureWarnings(() -> {
            DefaultClusterName.Name name = DefaultClusterName.resolve(null);
            assertThat(name.shown()).isEqualTo("futures-<per-jvm>");
            assertThat(name.value()).matches("futures-[0-9a-f]{32}");
        });
        assertThat(warnings).singleElement().asString().contains("other JVMs will not find them");
    }

    private static String made(Path dir) throws IOException {
        DefaultClusterName.Name name = DefaultClusterName.resolve(dir);
        assertThat(name.shown()).isEqualTo("futures-<per-user>");
        return name.value().substring("futures-".length());
    }

    private static void assertRefused(Path dir, String secret, String reason) {
        List<String> warnings = captureWarnings(() -> {
            DefaultClusterName.Name name = DefaultClusterName.resolve(dir);
            assertThat(name.value()).isNotEqualTo("futures-" + secret).matches("futures-[0-9a-f]{32}");
            assertThat(name.shown()).isEqualTo("futures-<per-jvm>");
        });
        assertThat(warnings).singleElement().asString().contains(reason).contains("other JVMs will not find them")
                .contains("clusterName(..)").doesNotContain(secret);
    }

    private static List<String> captureWarnings(Runnable r) {
        Logger logger = Logger.getLogger(DefaultClusterName.class.getName());
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            r.run();
        } finally {
            logger.removeHandler(handler);
        }
        return warnings;
    }
}
