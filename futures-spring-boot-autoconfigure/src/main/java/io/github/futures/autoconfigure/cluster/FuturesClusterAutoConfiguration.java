package io.github.futures.autoconfigure.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.autoconfigure.FuturesCallInterceptors;
import io.github.futures.hazelcast.ClusterExecutor;
import java.util.List;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of the cluster executor: when {@code futures.cluster.enabled=true} and
 * {@code futures-hazelcast} is on the class path, a {@link ClusterExecutor} bean named
 * {@value #CLUSTER_POOL_BEAN_NAME}. It submits through the application's {@link HazelcastInstance}
 * bean when there is exactly one (for example Spring Boot's own), and otherwise starts an embedded
 * member from {@code futures.cluster.*}. The bean is shut down with the context by the
 * {@code futuresShutdownLifecycle}, with the {@code futures.shutdown.*} rules like every other pool:
 * it waits for its calls, and an embedded member then leaves the cluster; an application's instance
 * is left alone.
 *
 * @since 0.1.0
 * @see FuturesClusterProperties
 */
@AutoConfiguration(afterName = "org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration")
@ConditionalOnClass({ ClusterExecutor.class, HazelcastInstance.class })
@ConditionalOnBooleanProperty(name = "futures.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "futures.cluster.enabled")
@EnableConfigurationProperties(FuturesClusterProperties.class)
@Import({ FuturesClusterAutoConfiguration.ExistingMemberConfiguration.class,
        FuturesClusterAutoConfiguration.EmbeddedMemberConfiguration.class })
public final class FuturesClusterAutoConfiguration {

    /** Bean name of the auto-configured {@link ClusterExecutor}. */
    public static final String CLUSTER_POOL_BEAN_NAME = "futuresClusterPool";

    private static final String PREFIX = "futures.cluster.";

    /** Uses the application's Hazelcast instance. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(HazelcastInstance.class)
    static class ExistingMemberConfiguration {

        @Bean(name = CLUSTER_POOL_BEAN_NAME, destroyMethod = "") // FuturesShutdownLifecycle ends it
        @ConditionalOnMissingBean(name = CLUSTER_POOL_BEAN_NAME)
        ClusterExecutor futuresClusterPool(FuturesClusterProperties properties, HazelcastInstance hazelcastInstance,
                                           ObjectProvider<FuturesCallInterceptors> interceptors, BeanFactory beanFactory) {
            shutdownLifecycleFirst(beanFactory);
            return common(properties, ClusterExecutor.builder().hazelcastInstance(hazelcastInstance), interceptors).build();
        }
    }

    /** Starts an embedded member from the properties. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(HazelcastInstance.class)
    static class EmbeddedMemberConfiguration {

        @Bean(name = CLUSTER_POOL_BEAN_NAME, destroyMethod = "") // FuturesShutdownLifecycle ends it
        @ConditionalOnMissingBean(name = CLUSTER_POOL_BEAN_NAME)
        ClusterExecutor futuresClusterPool(FuturesClusterProperties properties,
                                           ObjectProvider<FuturesCallInterceptors> interceptors, BeanFactory beanFactory) {
            shutdownLifecycleFirst(beanFactory);
            ClusterExecutor.Builder builder = common(properties, ClusterExecutor.builder(), interceptors);
            if (properties.getName() != null) { // unset: the per-user default, a name other users do not know
                builder.clusterName(text("name", properties.getName()));
            }
            List<String> members = properties.getMembers();
            if (members == null || members.isEmpty()) {
                throw new InvalidConfigurationPropertyValueException(PREFIX + "members", members,
                        "List at least one address (host or host:port), e.g. 127.0.0.1.");
            }
            for (String member : members) {
                if (member == null || member.isBlank() || hasPortRange(member)) {
                    throw new InvalidConfigurationPropertyValueException(PREFIX + "members", members,
                            "Each member is host or host:port, without port ranges.");
                }
            }
            builder.members(members);
            builder.networkInterface(text("network-interface", properties.getNetworkInterface()));
            if (properties.getPort() < 1 || properties.getPort() > 65535) {
                throw new InvalidConfigurationPropertyValueException(PREFIX + "port", properties.getPort(),
                        "Must be between 1 and 65535.");
            }
            builder.port(properties.getPort());
            if (properties.getMemberPoolSize() != null) {
                builder.memberPoolSize(positive("member-pool-size", properties.getMemberPoolSize()));
            }
            return builder.build();
        }
    }

    /**
     * The options that apply whichever member is used. Validated before any member starts. Each call carries
     * what the starter's interceptors give it (the MDC and the trace, an observation) to the member running it.
     */
    static ClusterExecutor.Builder common(FuturesClusterProperties properties, ClusterExecutor.Builder builder,
                                          ObjectProvider<FuturesCallInterceptors> interceptors) {
        builder.executorName(text("executor-name", properties.getExecutorName()));
        if (properties.getMaxWorkers() != null) {
            builder.maxWorkers(positive("max-workers", properties.getMaxWorkers()));
        }
        builder.retryOnMemberLoss(properties.isRetryOnMemberLoss());
        // The context's shutdown (FuturesShutdownLifecycle, after the web server's graceful phase) ends the
        // pool; the executor's own JVM-exit hook would stop taking calls at SIGTERM, before in-flight
        // requests have had their graceful phase.
        builder.endAtJvmExit(false);
        FuturesCallInterceptors own = interceptors.getIfAvailable();
        builder.callInterceptor(own == null ? null : own.forPool(CLUSTER_POOL_BEAN_NAME));
        return builder;
    }

    /** A '-' after the port's colon is a port range, which ClusterNode.config refuses; host names may have them. */
    private static boolean hasPortRange(String member) {
        int colon = member.lastIndexOf(':');
        return colon >= 0 && member.indexOf('-', colon) >= 0;
    }

    /**
     * Creates the shutdown lifecycle, if it does not exist yet, before the pool: should a later bean fail the
     * context's refresh, only a lifecycle that exists ends the pool (its member would otherwise stay in the
     * cluster, and its threads keep the JVM alive), since the pool has no destroy method of its own.
     */
    private static void shutdownLifecycleFirst(BeanFactory beanFactory) {
        if (beanFactory.containsBean(FuturesAutoConfiguration.SHUTDOWN_LIFECYCLE_BEAN_NAME)) {
            beanFactory.getBean(FuturesAutoConfiguration.SHUTDOWN_LIFECYCLE_BEAN_NAME);
        }
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new InvalidConfigurationPropertyValueException(PREFIX + name, value,
                    "Must be at least 1; remove the property to use the default.");
        }
        return value;
    }

    private static String text(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigurationPropertyValueException(PREFIX + name, value, "Must not be blank.");
        }
        return value;
    }
}
