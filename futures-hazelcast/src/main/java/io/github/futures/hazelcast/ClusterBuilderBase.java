package io.github.futures.hazelcast;

import com.hazelcast.cluster.MemberSelector;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.MemberLeftException;
import io.github.futures.BrokenExecutor;
import io.github.futures.SerializableRunnable;
import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.Serialization;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The options of {@link ClusterExecutor.Builder}, validated as they are set; {@code build()} is the
 * builder's own. Not thread-safe, as builders are.
 *
 * @param <B> the builder type, returned by every option for chaining
 */
abstract class ClusterBuilderBase<B extends ClusterBuilderBase<B>> {

    static final String DESTINATION = "a cluster member";

    HazelcastInstance instance;
    boolean embeddedOptionSet;
    /** {@code null}: the per-user default ({@link DefaultClusterName}). */
    String clusterName;
    List<String> members = List.of(ClusterNode.DEFAULT_INTERFACE);
    String networkInterface = ClusterNode.DEFAULT_INTERFACE;
    int port = ClusterNode.DEFAULT_PORT;
    int memberPoolSize = ExecutorConfig.DEFAULT_POOL_SIZE;
    Consumer<Config> configCustomizer;
    String executorName = ClusterNode.DEFAULT_EXECUTOR_NAME;
    int maxWorkers;
    boolean retryOnMemberLoss;
    MemberSelector memberSelector;
    byte[] initializerBytes;
    /** Empty: {@link Serialization#DEFAULT_FILTER}. */
    String serialFilter = "";
    Duration drainTimeout = ClusterNode.DEFAULT_DRAIN_TIMEOUT;
    boolean endAtJvmExit = true;
    CallInterceptor callInterceptor;

    ClusterBuilderBase() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * A call that each member thread runs once before it runs its first call of this executor
     * (Hazelcast's threads are shared by every executor, so "once per worker" means once per member
     * thread and executor). If it throws, the executor is broken: that call and every waiting call
     * fail with {@link BrokenExecutor}, and so does every later submit.
     *
     * @param initializer the initializer; serializable, with what it captures
     * @return this builder
     * @throws IllegalArgumentException if it cannot be serialized (the message names the class)
     */
    public B initializer(SerializableRunnable initializer) {
        Serialization.requireSerializable(initializer, "initializer", "(SerializableRunnable) () -> ...", DESTINATION);
        try {
            this.initializerBytes = Wire.toBytes(initializer);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(Serialization.notSerializable("initializer", initializer, e,
                    DESTINATION), e);
        }
        return self();
    }

    /**
     * The deserialization filter for everything this executor's calls bring across: the call and
     * the initializer, read on the member, and the result or exception, read back here. The
     * pattern travels with each call, so members need no configuration of their own (their
     * JVM-wide filter decides what this pattern leaves undecided). Any array longer than its
     * message is refused whatever the pattern. The executor's own embedded member also refuses what
     * this filter refuses in the calls other executors send it, whatever their own patterns allow.
     *
     * @param pattern an {@link ObjectInputFilter.Config#createFilter} pattern; {@code null} or empty
     *     means {@link Serialization#DEFAULT_FILTER}
     * @return this builder
     * @throws IllegalArgumentException if the pattern is malformed
     */
    public B serialFilter(String pattern) {
        String p = pattern == null ? "" : pattern;
        try {
            Serialization.filter(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serialFilter '" + p + "' is not a valid ObjectInputFilter pattern: "
                    + e.getMessage(), e);
        }
        this.serialFilter = p;
        return self();
    }

    /**
     * How long the executor's own embedded member, when it leaves, waits for the calls it runs
     * (this executor's and other members') to end (default 30 s); and how long the JVM exit hook
     * waits for this executor's calls when nothing shut the executor down.
     *
     * @param timeout a duration of zero or more
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public B drainTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout must not be negative, got " + timeout);
        }
        this.drainTimeout = timeout;
        return self();
    }

    /**
     * Whether the executor ends itself when the JVM exits without anything having shut it down
     * (default {@code true}): on SIGTERM, Ctrl-C or {@code System.exit} it stops taking calls,
     * finishes those it accepted ({@link #drainTimeout} at most) and then, if it owns its member,
     * makes the member leave, as CPython's executors do at interpreter exit. A framework that closes
     * the executor itself in its own graceful shutdown (after its web server stopped taking
     * requests, say) should turn this off, so that calls submitted during that shutdown are still
     * taken; the member is then stopped by that close.
     *
     * @param end whether to end the executor at JVM exit
     * @return this builder
     */
    public B endAtJvmExit(boolean end) {
        this.endAtJvmExit = end;
        return self();
    }

    /**
     * Uses an existing member (or client) instead of starting one. The executor never shuts it down.
     *
     * @param instance the instance
     * @return this builder
     */
    public B hazelcastInstance(HazelcastInstance instance) {
        this.instance = Objects.requireNonNull(instance, "instance");
        return self();
    }

    /**
     * The cluster name of the embedded member; it joins only members of the same name, and only
     * clients that present it may connect. Open-source Hazelcast authenticates nothing else, so the
     * name is what keeps others out.
     *
     * <p>By default the name is {@value ClusterNode#DEFAULT_CLUSTER_NAME}{@code -} followed by a
     * secret of this user's, kept in {@code $XDG_CONFIG_HOME/futures/cluster-secret} (or
     * {@code ~/.config/futures/cluster-secret}), a file only this user may read, made on first use:
     * every JVM of this user on this machine finds the others with no configuration, and other users
     * do not know the name to join with. It is shown as {@code futures-<per-user>}, never in full. When no
     * such private file can be had (no home directory, a read-only file system, a file or directory
     * that other users may read or write, a symbolic link), the member uses a random name of this
     * JVM's own, with a warning: other JVMs will not find it; give them all the same name here.
     *
     * <p>A name given here is not a secret: it is shown as it is, and other users of the machine can
     * read a process's command line and often its configuration. No name is a password: the member
     * sends it unencrypted to the addresses in {@link #members}, so whoever listens on one of them (a
     * free port among 5701-5703, say) learns it. On a machine shared with users you do not trust, and
     * across machines, keep the members on a network of their own.
     *
     * @param clusterName the name
     * @return this builder
     */
    public B clusterName(String clusterName) {
        this.clusterName = requireText(clusterName, "clusterName");
        embeddedOptionSet = true;
        return self();
    }

    /**
     * The addresses where the embedded member looks for the others, {@code host} or
     * {@code host:port} (default {@code 127.0.0.1}: ports 5701-5703 on this machine).
     *
     * @param members the addresses
     * @return this builder
     */
    public B members(String... members) {
        return members(List.of(members));
    }

    /**
     * As {@link #members(String...)}.
     *
     * @param members the addresses
     * @return this builder
     */
    public B members(List<String> members) {
        for (String m : Objects.requireNonNull(members, "members")) {
            requireText(m, "members[]");
        }
        this.members = List.copyOf(members);
        embeddedOptionSet = true;
        return self();
    }

    /**
     * The address the embedded member binds to (default {@code 127.0.0.1}, loopback only). To
     * form a cluster of several machines, give this machine's address on the network the members
     * share.
     *
     * @param networkInterface an address, or a Hazelcast interface pattern such as {@code 10.0.0.*}
     * @return this builder
     */
    public B networkInterface(String networkInterface) {
        this.networkInterface = requireText(networkInterface, "networkInterface");
        embeddedOptionSet = true;
        return self();
    }

    /**
     * The first port the embedded member tries (default 5701); the next free one is taken if it is
     * in use.
     *
     * @param port the port
     * @return this builder
     */
    public B port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        this.port = port;
        embeddedOptionSet = true;
        return self();
    }

    /**
     * The number of threads that run calls on the embedded member (default 16, Hazelcast's
     * default executor pool size).
     *
     * @param memberPoolSize at least 1
     * @return this builder
     */
    public B memberPoolSize(int memberPoolSize) {
        if (memberPoolSize < 1) {
            throw new IllegalArgumentException("memberPoolSize must be at least 1, got " + memberPoolSize);
        }
        this.memberPoolSize = memberPoolSize;
        embeddedOptionSet = true;
        return self();
    }

    /**
     * Changes the embedded member's configuration after the defaults were applied (security,
     * discovery, properties ...). Hazelcast's own JVM shutdown hook stays off whatever it sets:
     * the executor stops its member itself.
     *
     * @param customizer called once with the configuration
     * @return this builder
     */
    public B configCustomizer(Consumer<Config> customizer) {
        this.configCustomizer = Objects.requireNonNull(customizer, "customizer");
        embeddedOptionSet = true;
        return self();
    }

    /**
     * The name of the Hazelcast executor that runs the calls (default {@code futures}).
     *
     * @param executorName the name
     * @return this builder
     */
    public B executorName(String executorName) {
        this.executorName = requireText(executorName, "executorName");
        return self();
    }

    /**
     * The number of calls this executor keeps in flight on the cluster at most; the others wait
     * locally. Default: the member pool size times the number of eligible members, following the
     * membership (a member that joins raises it, one that leaves lowers it).
     *
     * @param maxWorkers at least 1
     * @return this builder
     */
    public B maxWorkers(int maxWorkers) {
        if (maxWorkers <= 0) {
            throw new IllegalArgumentException("maxWorkers must be greater than 0, got " + maxWorkers);
        }
        this.maxWorkers = maxWorkers;
        return self();
    }

    /**
     * Whether a call whose member left while running it is sent once more to another member
     * (default {@code false}: such calls fail with {@link MemberLeftException}, at-most-once). With
     * {@code true} a call may run twice: use it only for calls that are safe to repeat.
     *
     * @param retry whether to retry once
     * @return this builder
     */
    public B retryOnMemberLoss(boolean retry) {
        this.retryOnMemberLoss = retry;
        return self();
    }

    /**
     * Which members receive calls (default: all, this one included).
     *
     * @param selector the selector, e.g. {@code m -> !m.localMember()}
     * @return this builder
     */
    public B memberSelector(MemberSelector selector) {
        this.memberSelector = Objects.requireNonNull(selector, "selector");
        return self();
    }

    /**
     * Gives every call a {@link io.github.futures.spi.CallScope} (default: none), asked for on the
     * submitting thread with {@code CallInfo(<executorName>, "cluster")}; if {@code intercept} throws,
     * the submit throws that and accepts nothing. The scope's
     * {@link io.github.futures.spi.CallScope#remoteContext() remoteContext()} travels with the call to
     * its member and is restored there around the call as MDC entries (when SLF4J is on the member's
     * class path), removed after it; {@code started()} is called when the call is sent to a member,
     * {@code ended} exactly once when its future ends, and {@code ended(refusal, false)} for a refused
     * submit. A {@code map} gets one scope per chunk, and one for the map itself (as
     * {@link io.github.futures.ThreadPoolExecutor.Builder#callInterceptor} describes).
     *
     * @param interceptor the interceptor, or {@code null} for none
     * @return this builder
     */
    public B callInterceptor(CallInterceptor interceptor) {
        this.callInterceptor = interceptor;
        return self();
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    /** The pool size of the executor configuration named {@code executorName}, or Hazelcast's default on a client. */
    static int configuredPoolSize(HazelcastInstance hz, String executorName) {
        try {
            return hz.getConfig().getExecutorConfig(executorName).getPoolSize();
        } catch (UnsupportedOperationException notAMember) {
            return ExecutorConfig.DEFAULT_POOL_SIZE;
        }
    }
}
