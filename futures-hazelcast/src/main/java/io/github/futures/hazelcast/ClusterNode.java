package io.github.futures.hazelcast;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.spi.Serialization;
import java.io.ObjectInputFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The Hazelcast member configuration that {@link ClusterExecutor} uses for its embedded member, and a
 * {@code main} that runs a plain worker node with the same configuration.
 *
 * <p>The configuration is closed by default: the member binds to one interface only (loopback,
 * {@code 127.0.0.1}, unless told otherwise) and listens on no other address; it finds the others by
 * TCP-IP on the listed addresses only (multicast, cloud discovery and auto-detection are off); it
 * sends no usage data home; Jet is off; and it registers the calls' executor under
 * {@code executorName} with the given pool size. Each member also publishes its process id as the
 * member attribute {@value #PID_ATTRIBUTE}, which {@link ClusterExecutor#snapshot()} reports.
 *
 * <p>Hazelcast's own Java deserialization is filtered too: Hazelcast reads with Java serialization
 * any {@code Serializable} object that another member or a client sends it (a task for its executor
 * service, say), outside the executors' deserialization filters. The calls, results and exceptions
 * of {@link ClusterExecutor} travel as {@code DataSerializable} byte arrays and need none of it, so
 * the configuration lets Hazelcast's Java deserialization read only Hazelcast's and the JDK's classes
 * and arrays (Hazelcast's default list), and none of the classes that
 * {@link Serialization#DEFAULT_FILTER} refuses. An application that keeps its own
 * {@code Serializable} objects in this member's data structures lists their packages in
 * {@code config.getSerializationConfig().getJavaSerializationFilterConfig().getWhitelist()}.
 *
 * <p>The cluster name is the only gate: open-source Hazelcast authenticates no member or client. A
 * member started without one uses the per-user default (see {@link #DEFAULT_CLUSTER_NAME}), which
 * other users of the machine cannot read; the default is shown as {@code futures-<per-user>}, never
 * in full. A name given on the command line is no secret (other users can read a process's command
 * line), and no name is a password: it travels unencrypted to the member addresses tried, so keep
 * members on a network of their own where others could listen on those addresses.
 *
 * <p>Run a worker node (the application's jar and its dependencies must be on the class path, so the
 * node can load the classes of the calls it is sent):
 * <pre>{@code
 * java -cp app.jar:libs/* io.github.futures.hazelcast.ClusterNode \
 *      --cluster-name=demo --interface=127.0.0.1 --port=5702 --members=127.0.0.1:5701,127.0.0.1:5702
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ClusterNode {

    /** The member attribute that holds the member's process id. */
    public static final String PID_ATTRIBUTE = "futures.pid";

    /**
     * The prefix of the default cluster name. A member started without a cluster name (a
     * {@link ClusterExecutor} built without {@link ClusterExecutor.Builder#clusterName}, a node started
     * without {@code --cluster-name=}) is named {@code futures-} followed by a secret of this user's,
     * kept in a file only this user may read ({@code ~/.config/futures/cluster-secret}), so that other
     * users of the machine do not know the name to join with (see
     * {@link ClusterExecutor.Builder#clusterName}). A member given this name itself, {@code futures},
     * is in a cluster anybody may join.
     */
    public static final String DEFAULT_CLUSTER_NAME = "futures";

    /** The default name of the Hazelcast executor that runs the calls. */
    public static final String DEFAULT_EXECUTOR_NAME = "futures";

    /** The default interface: loopback, so that nothing outside this machine can join or connect. */
    public static final String DEFAULT_INTERFACE = "127.0.0.1";

    /** Hazelcast's default member port; the next free one is taken when it is in use. */
    public static final int DEFAULT_PORT = 5701;

    /**
     * How long a member that is leaving waits by default for the calls it runs to end: the default of
     * Spring Boot's {@code spring.lifecycle.timeout-per-shutdown-phase}, so that a node stopped by
     * SIGTERM leaves in about the time its framework gives it.
     */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** The Hazelcast property that turns Hazelcast's own JVM shutdown hook on or off. */
    static final String SHUTDOWN_HOOK_PROPERTY = "hazelcast.shutdownhook.enabled";

    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());

    private ClusterNode() {
    }

    /**
     * A member configuration as described in the class comment.
     *
     * @param clusterName the cluster name; members join only a cluster of the same name
     * @param networkInterface the address to bind to, e.g. {@code 127.0.0.1} or {@code 10.0.0.5}
     *     (Hazelcast interface syntax, so {@code 10.0.0.*} works too)
     * @param port the first port to try; the next free port is taken if it is in use
     * @param members the addresses of the other members, {@code host} or {@code host:port}
     *     (without a port, Hazelcast tries the three ports from 5701)
     * @param executorName the name of the Hazelcast executor that runs the calls
     * @param poolSize the number of threads that run calls on this member
     * @return a new configuration
     * @throws IllegalArgumentException if a value is blank or out of range
     */
    public static Config config(String clusterName, String networkInterface, int port, List<String> members,
                                String executorName, int poolSize) {
        requireText(clusterName, "clusterName");
        requireText(networkInterface, "networkInterface");
        requireText(executorName, "executorName");
        Objects.requireNonNull(members, "members");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
        }
        Config config = new Config();
        config.setClusterName(clusterName);
        // The instance name is in thread names and log lines: the per-user default's secret must not be.
        String shown = DefaultClusterName.shown(clusterName);
        config.setInstanceName("futures-" + shown.replace("<", "").replace(">", "") + "-"
                + ProcessHandle.current().pid() + "-" + port + "-" + System.nanoTime());
        if (!shown.equals(clusterName)) {
            // Hazelcast starts each of its log lines with "[address] [cluster name] [version]".
            config.setProperty("hazelcast.logging.details.enabled", "false");
        }
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // Listen on the configured interface only, not on every address of the machine.
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.getJetConfig().setEnabled(false);
        config.getMemberAttributeConfig().setAttribute(PID_ATTRIBUTE, Long.toString(ProcessHandle.current().pid()));

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(true);
        network.getInterfaces().setEnabled(true).addInterface(networkInterface);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (String member : members) {
            requireText(member, "members[]");
            // A '-' after the port's colon is a port range, which Hazelcast refuses; host names have them.
            int colon = member.lastIndexOf(':');
            if (colon >= 0 && member.indexOf('-', colon) >= 0) {
                throw new IllegalArgumentException("member address '" + member
                        + "' has a port range; list each member as host or host:port");
            }
            join.getTcpIpConfig().addMember(member.trim());
        }
        config.addExecutorConfig(new ExecutorConfig(executorName, poolSize));
        config.getSerializationConfig().setJavaSerializationFilterConfig(javaSerializationFilter());
        return config;
    }

    /**
     * Hazelcast's Java deserialization filter for a member (see the class comment): Hazelcast's default
     * list of allowed classes ({@code com.hazelcast.}, {@code java}, arrays), less those that
     * {@link Serialization#DEFAULT_FILTER} refuses by name.
     */
    static JavaSerializationFilterConfig javaSerializationFilter() {
        ClassFilter refused = new ClassFilter();
        for (String entry : Serialization.DEFAULT_FILTER.split(";")) {
            if (!entry.startsWith("!")) {
                continue; // a limit (maxdepth, maxrefs): Hazelcast's filter knows only names
            }
            String name = entry.substring(1);
            if (name.endsWith(".**")) {
                refused.addPrefixes(name.substring(0, name.length() - 2));
            } else if (name.endsWith(".*")) {
                refused.addPackages(name.substring(0, name.length() - 2));
            } else {
                refused.addClasses(name);
            }
        }
        return new JavaSerializationFilterConfig().setDefaultsDisabled(false).setBlacklist(refused);
    }

    /**
     * Starts a member that its starter stops itself: Hazelcast's own JVM shutdown hook is turned off
     * ({@value #SHUTDOWN_HOOK_PROPERTY}{@code =false}, set last, over any customization), because
     * that hook shuts the member down as soon as the JVM begins to exit, failing the calls it runs,
     * before a framework's graceful shutdown has even begun. Whoever calls this must {@link #leave}
     * the member (a {@link ClusterExecutor} that owns its member does, and so does its JVM exit hook).
     * The configuration is {@link #config}'s, then changed by {@code customizer} (if any).
     *
     * The member reads the calls it is sent under the veto of {@code filter} (see
     * {@link Wire#underMember}), from before it joins until it leaves.
     *
     * @param customizer changes the configuration, or {@code null}
     * @param filter the owning executor's deserialization filter
     * @return the running member
     */
    static HazelcastInstance startOwnedMember(String clusterName, String networkInterface, int port, List<String> members,
                                              String executorName, int poolSize, Consumer<Config> customizer,
                                              ObjectInputFilter filter) {
        Config config = config(clusterName, networkInterface, port, members, executorName, poolSize);
        String ours = config.getInstanceName();
        if (customizer != null) {
            customizer.accept(config);
        }
        if (config.getInstanceName() == null) {
            config.setInstanceName(ours); // the name under which the filter is found
        }
        String name = config.getInstanceName();
        Wire.memberFilter(name, filter);
        try {
            return startOwnedMember(config);
        } catch (RuntimeException | Error e) {
            Wire.forgetMember(name);
            throw e;
        }
    }

    /**
     * As {@link #startOwnedMember(String, String, int, List, String, int, Consumer)}, from a complete
     * configuration.
     *
     * @param config the configuration
     * @return the running member
     */
    static HazelcastInstance startOwnedMember(Config config) {
        config.setProperty(SHUTDOWN_HOOK_PROPERTY, "false");
        DefaultClusterName.maskInHazelcastLog(config.getClusterName());
        return Hazelcast.newHazelcastInstance(config);
    }

    /**
     * Makes a member leave the cluster after the calls it runs have ended: from now on it refuses new
     * calls (their executors send them to other members: they never ran here), waits until the calls
     * it runs have ended and their answers have been handed to Hazelcast for sending,
     * {@code drainTimeout} at most, and then shuts down gracefully (its data migrates to the other
     * members). See {@link ServedCalls} for when an answer counts as handed over.
     *
     * @param hz the member
     * @param drainTimeout the limit for the calls to end
     */
    static void leave(HazelcastInstance hz, Duration drainTimeout) {
        String name = hz.getName();
        int running = ServedCalls.running(name);
        if (running > 0) {
            LOG.log(System.Logger.Level.INFO, () -> "member " + name + " waits for the " + running
                    + " calls it serves to end before it leaves (at most " + drainTimeout.toSeconds() + " s)");
        }
        int left = ServedCalls.drain(name, drainTimeout);
        if (left > 0) {
            LOG.log(System.Logger.Level.WARNING, () -> "member " + name + " leaves with " + left
                    + " calls still running or unanswered after " + drainTimeout.toSeconds() + " s; their callers see the member leave");
        }
        try {
            hz.shutdown();
        } finally {
            ServedCalls.forget(name);
            Wire.forgetMember(name);
        }
    }

    /**
     * Starts a member with {@link #config} and keeps it running until the JVM is stopped. On SIGTERM
     * (or Ctrl-C, or {@code System.exit}) the node finishes the calls it runs, at most
     * {@link #DEFAULT_DRAIN_TIMEOUT}, and then leaves the cluster (see {@link #leave}); Hazelcast's own
     * shutdown hook, which would stop it at once, is off.
     *
     * <p>Arguments (all optional): {@code --cluster-name=} (default: the per-user name of
     * {@link #DEFAULT_CLUSTER_NAME}), {@code --interface=}, {@code --port=},
     * {@code --members=} (comma-separated {@code host[:port]}), {@code --executor-name=},
     * {@code --pool-size=}.
     *
     * @param args the arguments
     * @throws InterruptedException never in practice: the node runs until the JVM stops
     */
    public static void main(String[] args) throws InterruptedException {
        HazelcastInstance hz = startOwnedMember(configFromArgs(args));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> leave(hz, DEFAULT_DRAIN_TIMEOUT), "futures-cluster-node-exit"));
        System.out.println("futures cluster node " + hz.getCluster().getLocalMember() + " pid "
                + ProcessHandle.current().pid() + " is up in cluster '"
                + DefaultClusterName.shown(hz.getConfig().getClusterName()) + "'");
        new CountDownLatch(1).await();
    }

    /**
     * Parses {@link #main}'s arguments into a configuration.
     *
     * @param args the arguments
     * @return the configuration
     * @throws IllegalArgumentException on an unknown or malformed argument
     */
    public static Config configFromArgs(String... args) {
        String clusterName = null; // the per-user default, worked out only when no name is given
        String networkInterface = DEFAULT_INTERFACE;
        int port = DEFAULT_PORT;
        List<String> members = new ArrayList<>(List.of(DEFAULT_INTERFACE));
        String executorName = DEFAULT_EXECUTOR_NAME;
        int poolSize = ExecutorConfig.DEFAULT_POOL_SIZE;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; expected --name=value with name one of "
                        + "cluster-name, interface, port, members, executor-name, pool-size");
            }
            String name = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            switch (name) {
                case "cluster-name" -> clusterName = value;
                case "interface" -> networkInterface = value;
                case "port" -> port = parseInt(name, value);
                case "members" -> {
                    members.clear();
                    for (String m : value.split(",")) {
                        if (!m.isBlank()) {
                            members.add(m.trim());
                        }
                    }
                }
                case "executor-name" -> executorName = value;
                case "pool-size" -> poolSize = parseInt(name, value);
                default -> throw new IllegalArgumentException("unknown argument '--" + name + "'; expected one of "
                        + "--cluster-name, --interface, --port, --members, --executor-name, --pool-size");
            }
        }
        if (clusterName == null) {
            clusterName = DefaultClusterName.current().value();
        }
        return config(clusterName, networkInterface, port, members, executorName, poolSize);
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + value + "'", e);
        }
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
