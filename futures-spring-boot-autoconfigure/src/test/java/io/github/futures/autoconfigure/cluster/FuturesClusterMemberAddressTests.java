package io.github.futures.autoconfigure.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.SerializableCallable;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.hazelcast.ClusterExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code futures.cluster.members}: host names with hyphens are taken, port ranges are refused at start-up. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesClusterMemberAddressTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesClusterAutoConfiguration.class));

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A member listed by a host name with hyphens does not stop the pool from starting (nothing answers there). */
    @Test
    void hostNameWithHyphensIsAMemberAddress() throws IOException {
        int port = freePort();
        this.contextRunner.withPropertyValues("futures.cluster.enabled=true", "futures.process.enabled=false",
                "futures.cluster.name=futures-boot-" + UUID.randomUUID(), "futures.cluster.port=" + port,
                "futures.cluster.members=127.0.0.1:" + port + ",no-such-host.invalid:" + port).run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ClusterExecutor.class);
                    ClusterExecutor pool = context.getBean(ClusterExecutor.class);
                    assertThat(pool.submit((SerializableCallable<String>) () -> "ran").result(Duration.ofSeconds(30)))
                            .isEqualTo("ran");
                });
    }

    /** A port range fails start-up naming the property. */
    @Test
    void portRangeFailsStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues("futures.cluster.enabled=true", "futures.process.enabled=false",
                "futures.cluster.members=worker-1:5701-5703").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                            .hasMessageContaining("futures.cluster.members");
                });
    }
}
