package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The member addresses the embedded member's configuration takes: host names as they are, no port ranges. */
class MemberAddressTest {

    private static Config configWith(String... members) {
        return ClusterNode.config("futures-addresses", ClusterNode.DEFAULT_INTERFACE, ClusterNode.DEFAULT_PORT,
                List.of(members), ClusterNode.DEFAULT_EXECUTOR_NAME, 2);
    }

    /** Host names with hyphens (worker-1, a Kubernetes pod's name) are member addresses, with or without a port. */
    @Test
    void hostNamesWithHyphensAreMemberAddresses() {
        Config config = configWith("worker-1", "app-0.app-headless.default.svc:5702", "127.0.0.1:5701");

        assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
                .containsExactly("worker-1", "app-0.app-headless.default.svc:5702", "127.0.0.1:5701");
    }

    /** A port range is refused, naming the address and how to write it. */
    @Test
    void portRangeIsRefused() {
        assertThatThrownBy(() -> configWith("worker-1:5701-5703")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'worker-1:5701-5703' has a port range")
                .hasMessageContaining("host or host:port");
    }
}
