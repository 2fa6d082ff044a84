package io.github.futures.autoconfigure.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.SerializableCallable;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.autoconfigure.actuate.FuturesEndpoint;
import io.github.futures.autoconfigure.actuate.FuturesEndpointAutoConfiguration;
import io.github.futures.autoconfigure.actuate.FuturesHealthContributorAutoConfiguration;
import io.github.futures.autoconfigure.actuate.FuturesHealthIndicator;
import io.github.futures.autoconfigure.metrics.FuturesMetricsAutoConfiguration;
import io.github.futures.hazelcast.ClusterExecutor;
import io.github.futures.hazelcast.ClusterNode;
import io.github.futures.spi.ExecutorSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tests for {@link FuturesClusterAutoConfiguration}, with real (loopback-only) Hazelcast members. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesClusterAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesClusterAutoConfiguration.class));

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long pidOfACall(ClusterExecutor pool) {
        return pool.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT);
    }

    @Test
    void clusterPoolIsOffByDefault() {
        this.contextRunner.run(context -> assertThat(context).doesNotHaveBean(ClusterExecutor.class)
                .doesNotHaveBean(HazelcastInstance.class));
    }

    /** {@code futures.enabled=false} turns the whole starter off, the cluster pool included. */
    @Test
    void clusterPoolBacksOffWhenFuturesIsDisabled() {
        this.contextRunner.withPropertyValues("futures.enabled=false", "futures.cluster.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterExecutor.class)
                        .doesNotHaveBean(HazelcastInstance.class));
    }

    @Test
    void clusterPoolBacksOffWithoutFuturesHazelcast() {
        this.contextRunner.withPropertyValues("futures.cluster.enabled=true")
                .withClassLoader(new FilteredClassLoader(ClusterExecutor.class))
                .run(context -> assertThat(context).doesNotHaveBean(FuturesClusterAutoConfiguration.CLUSTER_POOL_BEAN_NAME));
    }

    /** The cluster pool's calls carry the caller's MDC to the member that runs them (futures.propagate-context). */
    @Test
    void clusterCallCarriesTheCallersMdcToTheMember() throws IOException {
        int port = freePort();
        this.contextRunner.withPropertyValues("futures.cluster.enabled=true",
                "futures.cluster.name=futures-boot-" + UUID.randomUUID(), "futures.cluster.port=" + port,
                "futures.cluster.members=127.0.0.1:" + port, "futures.process.enabled=false").run(context -> {
                    ClusterExecutor pool = context.getBean(ClusterExecutor.class);
                    org.slf4j.MDC.put("requestId", "r-77");
                    try {
                        String seen = pool.submit((SerializableCallable<String>) () -> org.slf4j.MDC.get("requestId")
                                + "@" + Thread.currentThread().getName()).result(WAIT);
                        assertThat(seen).startsWith("r-77@").doesNotContain("@main");
                    } finally {
                        org.slf4j.MDC.clear();
                    }
                });
    }

    @Test
    void enabledClusterPoolStartsAnEmbeddedMemberFromTheProperties() throws IOException {
        String name = "futures-boot-" + UUID.randomUUID();
        int port = freePort();
        AtomicReference<HazelcastInstance> member = new AtomicReference<>();
        this.contextRunner.withPropertyValues("futures.cluster.enabled=true", "futures.cluster.name=" + name,
                "futures.cluster.port=" + port, "futures.cluster.members=127.0.0.1:" + port,
                "futures.cluster.max-workers=3", "futures.cluster.executor-name=jobs",
                "futures.cluster.member-pool-size=2", "futures.cluster.retry-on-member-loss=true").run(context -> {
                    assertThat(context).hasSingleBean(ClusterExecutor.class);
                    ClusterExecutor pool = context.getBean(FuturesClusterAutoConfiguration.CLUSTER_POOL_BEAN_NAME, ClusterExecutor.class);
                    member.set(pool.hazelcastInstance());
                    assertThat(pool.maxWorkers()).isEqualTo(3);
                    assertThat(pool.executorName()).isEqualTo("jobs");
                    assertThat(pool.memberPoolSize()).isEqualTo(2);
                    HazelcastInstance hz = pool.hazelcastInstance();
                    assertThat(hz.getConfig().getClusterName()).isEqualTo(name);
                    assertThat(hz.getCluster().getLocalMember().getAddress().getHost()).isEqualTo("127.0.0.1");
                    assertThat(hz.getCluster().getLocalMember().getAddress().getPort()).isEqualTo(port);
                    assertThat(pidOfACall(pool)).isEqualTo(ProcessHandle.current().pid());
                    ExecutorSnapshot snapshot = pool.snapshot();
                    assertThat(snapshot.kind()).isEqualTo("cluster");
                    assertThat(snapshot.workers()).isEqualTo(1);
                    assertThat(snapshot.config()).containsEntry("retryOnMemberLoss", true)
                            .containsEntry("embeddedMember", true);
                });
        assertThat(member.get().getLifecycleService().isRunning()).as("embedded member left when the futures lifecycle shut the pool down").isFalse();
    }

    /**
     * Without futures.cluster.name the member is named with the per-user secret (kept under the tests'
     * XDG_CONFIG_HOME), not "futures", and the endpoint shows the name without its secret, even with
     * show-values=always; an explicit futures.cluster.name=futures is the user's choice and is used as it is.
     */
    @Test
    void unsetClusterNameIsThePerUserDefaultAndItsSecretIsNotShown() throws IOException {
        int port = freePort();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesClusterAutoConfiguration.class,
                        FuturesEndpointAutoConfiguration.class))
                .withPropertyValues("futures.cluster.enabled=true", "futures.cluster.port=" + port,
                        "futures.cluster.members=127.0.0.1:" + port, "futures.process.enabled=false",
                        "management.endpoints.web.exposure.include=futures", "management.endpoint.futures.show-values=always")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ClusterExecutor pool = context.getBean(ClusterExecutor.class);
                    String secret = Files.readString(Path.of(System.getenv("XDG_CONFIG_HOME"), "futures", "cluster-secret")).trim();
                    assertThat(secret).matches("[0-9a-f]{32}");
                    assertThat(pool.hazelcastInstance().getConfig().getClusterName()).isEqualTo("futures-" + secret);
                    FuturesEndpoint.ExecutorDescriptor described = context.getBean(FuturesEndpoint.class)
                            .executor(FuturesClusterAutoConfiguration.CLUSTER_POOL_BEAN_NAME);
                    assertThat(described.config()).containsEntry("clusterName", "futures-<per-user>");
                    assertThat(described.toString()).doesNotContain(secret);
                });
        int other = freePort();
        this.contextRunner.withPropertyValues("futures.cluster.enabled=true", "futures.cluster.name=futures",
                "futures.cluster.port=" + other, "futures.cluster.members=127.0.0.1:" + other, "futures.process.enabled=false")
                .run(context -> assertThat(context.getBean(ClusterExecutor.class).hazelcastInstance().getConfig().getClusterName())
                        .isEqualTo("futures"));
    }

    @Test
    void clusterPoolReusesSpringBootsHazelcastInstance() {
        AtomicReference<ClusterExecutor> pool = new AtomicReference<>();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HazelcastAutoConfiguration.class, FuturesAutoConfiguration.class,
                        FuturesClusterAutoConfiguration.class))
                .withUserConfiguration(HazelcastConfigConfiguration.class)
                .withPropertyValues("futures.cluster.enabled=true", "futures.cluster.max-workers=2")
                .run(context -> {
                    assertThat(context).hasSingleBean(HazelcastInstance.class).hasSingleBean(ClusterExecutor.class);
                    ClusterExecutor executor = context.getBean(ClusterExecutor.class);
                    pool.set(executor);
                    assertThat(executor.hazelcastInstance()).isSameAs(context.getBean(HazelcastInstance.class));
                    assertThat(executor.maxWorkers()).isEqualTo(2);
                    assertThat(executor.snapshot().config()).containsEntry("embeddedMember", false);
                    assertThat(pidOfACall(executor)).isEqualTo(ProcessHandle.current().pid());
                });
        assertThat(pool.get().isShutdown()).as("the pool is shut down by the futures lifecycle").isTrue();
    }

    @Test
    void clusterPoolHasMetricsEndpointAndHealthOfKindClusterWithItsMembers() throws IOException {
        int port = freePort();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesClusterAutoConfiguration.class,
                        FuturesMetricsAutoConfiguration.class, FuturesEndpointAutoConfiguration.class,
                        FuturesHealthContributorAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("futures.cluster.enabled=true", "futures.cluster.name=futures-boot-" + UUID.randomUUID(),
                        "futures.cluster.port=" + port, "futures.cluster.members=127.0.0.1:" + port,
                        "futures.cluster.max-workers=4", "management.endpoints.web.exposure.include=futures")
                .run(context -> {
                    ClusterExecutor pool = context.getBean(FuturesClusterAutoConfiguration.CLUSTER_POOL_BEAN_NAME, ClusterExecutor.class);
                    long pid = pidOfACall(pool);
                    String name = FuturesClusterAutoConfiguration.CLUSTER_POOL_BEAN_NAME;

                    FuturesEndpoint.ExecutorDescriptor described = context.getBean(FuturesEndpoint.class).executor(name);
                    assertThat(described.kind()).isEqualTo("cluster");
                    assertThat(described.state()).isEqualTo("running");
                    assertThat(described.maxWorkers()).isEqualTo(4);
                    assertThat(described.liveWorkers()).isEqualTo(1);
                    assertThat(described.completed().success()).isEqualTo(1);
                    assertThat(described.workers()).singleElement().satisfies(member -> {
                        assertThat(member.name()).isEqualTo("127.0.0.1:" + port + " (this)");
                        assertThat(member.pid()).isEqualTo(pid);
                        assertThat(member.tasksCompleted()).isEqualTo(1);
                    });
                    assertThat(described.config()).containsEntry("members", List.of("127.0.0.1:" + port + " (this)"));

                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("executor.pool.max").tag("name", name).gauge().value()).isEqualTo(4.0);
                    assertThat(registry.get("executor.pool.size").tag("name", name).gauge().value()).isEqualTo(1.0);
                    assertThat(registry.get("executor.completed").tag("name", name).functionCounter().count()).isEqualTo(1.0);

                    var health = context.getBean(FuturesHealthIndicator.class).health(true);
                    assertThat(health.getStatus().getCode()).isEqualTo("UP");
                    assertThat(health.getDetails()).containsKey(name);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> summary = (Map<String, Object>) health.getDetails().get(name);
                    assertThat(summary).containsEntry("kind", "cluster").containsEntry("workers", 1);
                });
    }

    @Test
    void badValuesFailStartupNamingTheProperty() {
        for (List<String> bad : List.of(List.of("futures.cluster.max-workers=0"),
                List.of("futures.cluster.executor-name= "), List.of("futures.cluster.port=0"),
                List.of("futures.cluster.members=127.0.0.1:5701-5703"), List.of("futures.cluster.member-pool-size=-1"))) {
            String property = bad.get(0).substring(0, bad.get(0).indexOf('='));
            this.contextRunner.withPropertyValues("futures.cluster.enabled=true").withPropertyValues(bad.toArray(String[]::new))
                    .run(context -> assertThat(context).hasFailed().getFailure()
                            .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
                            .hasMessageContaining(property));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HazelcastConfigConfiguration {

        @Bean
        Config hazelcastConfig() throws IOException {
            int port = freePort();
            return ClusterNode.config("futures-boot-" + UUID.randomUUID(), "127.0.0.1", port,
                    List.of("127.0.0.1:" + port), ClusterNode.DEFAULT_EXECUTOR_NAME, 4);
        }
    }
}
