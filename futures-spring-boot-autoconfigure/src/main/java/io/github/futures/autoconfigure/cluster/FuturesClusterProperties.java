package io.github.futures.autoconfigure.cluster;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the cluster executor ({@code futures.cluster.*}).
 *
 * <p>{@code name}, {@code members}, {@code network-interface}, {@code port} and
 * {@code member-pool-size} configure the embedded Hazelcast member that the executor starts; they
 * do not apply when the application has its own {@code HazelcastInstance} bean, which is then used
 * as it is.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("futures.cluster")
public class FuturesClusterProperties {

    /** Whether to create the cluster executor bean ("futuresClusterPool"). */
    private boolean enabled;

    /**
     * Cluster name of the embedded member; it joins only members of the same name. Default:
     * "futures-" followed by a secret of this user's, kept in a file only this user may read
     * (~/.config/futures/cluster-secret), so that this user's members on this machine find each other
     * and other users do not know the name; it is shown without its secret. A name set here is not a
     * secret.
     */
    private String name;

    /**
     * Addresses (host or host:port) where the embedded member looks for the other members. Without
     * a port, ports 5701 to 5703 are tried.
     */
    private List<String> members = new ArrayList<>(List.of("127.0.0.1"));

    /**
     * Address the embedded member binds to. The default, loopback, keeps the cluster on this
     * machine; give this machine's address on a shared network to span several machines.
     */
    private String networkInterface = "127.0.0.1";

    /** First port the embedded member tries; the next free one is taken when it is in use. */
    private int port = 5701;

    /** Number of threads that run calls on the embedded member (Hazelcast's default: 16). */
    private Integer memberPoolSize;

    /**
     * Maximum number of calls the executor keeps in flight on the cluster; the others wait locally.
     * Default: the member pool size times the number of members, following members as they join and leave.
     */
    private Integer maxWorkers;

    /** Name of the Hazelcast executor that runs the calls. */
    private String executorName = "futures";

    /**
     * Whether a call whose member left while running it is sent once more to another member. Off:
     * such calls fail (at-most-once). On: a call may run twice (at-least-once).
     */
    private boolean retryOnMemberLoss;

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getName() {
        return this.name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<String> getMembers() {
        return this.members;
    }

    public void setMembers(List<String> members) {
        this.members = members;
    }

    public String getNetworkInterface() {
        return this.networkInterface;
    }

    public void setNetworkInterface(String networkInterface) {
        this.networkInterface = networkInterface;
    }

    public int getPort() {
        return this.port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public Integer getMemberPoolSize() {
        return this.memberPoolSize;
    }

    public void setMemberPoolSize(Integer memberPoolSize) {
        this.memberPoolSize = memberPoolSize;
    }

    public Integer getMaxWorkers() {
        return this.maxWorkers;
    }

    public void setMaxWorkers(Integer maxWorkers) {
        this.maxWorkers = maxWorkers;
    }

    public String getExecutorName() {
        return this.executorName;
    }

    public void setExecutorName(String executorName) {
        this.executorName = executorName;
    }

    public boolean isRetryOnMemberLoss() {
        return this.retryOnMemberLoss;
    }

    public void setRetryOnMemberLoss(boolean retryOnMemberLoss) {
        this.retryOnMemberLoss = retryOnMemberLoss;
    }
}
