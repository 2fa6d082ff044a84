package io.github.futures.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenThreadPool;
import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tests for {@link FuturesMetricsAutoConfiguration}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesMetricsAutoConfigurationTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesMetricsAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class)
            .withPropertyValues("futures.process.enabled=false");

    private static double gauge(MeterRegistry registry, String meter, String pool, String... tags) {
        return registry.get(meter).tag("name", pool).tags(tags).gauge().value();
    }

    private static double counter(MeterRegistry registry, String meter, String pool, String... tags) {
        return registry.get(meter).tag("name", pool).tags(tags).functionCounter().count();
    }

    @Test
    void eachMeterReadsExactlyTheSuccessesFailuresAndCancellations() {
        int n = 6;
        int m = 4;
        int k = 3;
        this.contextRunner.withPropertyValues("futures.thread.max-workers=1").run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            String name = FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME;
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Future<?>> all = new ArrayList<>();
            all.add(pool.submit(() -> {   // success 1 of n: holds the only worker
                started.countDown();
                release.await();
                return 0;
            }));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            List<Future<?>> toCancel = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                toCancel.add(pool.submit(() -> 1));
            }
            // now: one running, k pending
            assertThat(gauge(registry, "futures.executor.futures", name, "state", "running", "kind", "thread")).isEqualTo(1);
            assertThat(gauge(registry, "futures.executor.futures", name, "state", "pending")).isEqualTo(k);
            assertThat(gauge(registry, "executor.active", name)).isEqualTo(1);
            assertThat(gauge(registry, "executor.queued", name)).isEqualTo(k);
            for (Future<?> f : toCancel) {
                assertThat(f.cancel()).isTrue();
            }
            // a cancelled future leaves 'pending' at once
            assertThat(gauge(registry, "futures.executor.futures", name, "state", "pending")).isZero();
            for (int i = 1; i < n; i++) {
                all.add(pool.submit(() -> 2));
            }
            for (int i = 0; i < m; i++) {
                all.add(pool.submit(() -> {
                    throw new IllegalStateException("fails");
                }));
            }
            release.countDown();
            for (Future<?> f : all) {
                f.exception(WAIT); // waits until done, whatever the outcome
            }
            all.addAll(toCancel);
            assertThat(counter(registry, "futures.executor.futures.completed", name, "outcome", "success", "kind", "thread")).isEqualTo(n);
            assertThat(counter(registry, "futures.executor.futures.completed", name, "outcome", "failure")).isEqualTo(m);
            assertThat(counter(registry, "futures.executor.futures.completed", name, "outcome", "cancelled")).isEqualTo(k);
            assertThat(counter(registry, "futures.executor.submitted", name)).isEqualTo(n + m + k);
            assertThat(counter(registry, "executor.completed", name)).isEqualTo(n + m);
            assertThat(registry.get("futures.executor.execution").tag("name", name).timer().count()).isEqualTo(n + m);
            assertThat(registry.get("futures.executor.queue.wait").tag("name", name).timer().count()).isEqualTo(n + m);
            assertThat(gauge(registry, "futures.executor.futures", name, "state", "running")).isZero();
            assertThat(gauge(registry, "futures.executor.futures", name, "state", "pending")).isZero();
            assertThat(gauge(registry, "executor.active", name)).isZero();
            assertThat(gauge(registry, "executor.queued", name)).isZero();
            assertThat(gauge(registry, "executor.pool.size", name)).isEqualTo(1);
            assertThat(gauge(registry, "executor.pool.max", name)).isEqualTo(1);
            assertThat(gauge(registry, "executor.pool.core", name)).isEqualTo(1);
            assertThat(gauge(registry, "executor.queue.remaining", name)).isEqualTo(Integer.MAX_VALUE);
            assertThat(gauge(registry, "futures.executor.workers", name)).isEqualTo(1);
            assertThat(counter(registry, "futures.executor.workers.started", name)).isEqualTo(1);
            assertThat(gauge(registry, "futures.executor.broken", name)).isZero();
        });
    }

    @Test
    void everyExecutorBeanIsMeteredUnderItsBeanName() {
        this.contextRunner.withPropertyValues("futures.executors.io.kind=thread", "futures.executors.io.max-workers=3")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(gauge(registry, "executor.pool.max", "io")).isEqualTo(3);
                    assertThat(registry.get("futures.executor.broken").tag("name", "io").tag("kind", "thread").gauge()).isNotNull();
                    assertThat(registry.get("executor.pool.max").tag("name", FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME)
                            .gauge()).isNotNull();
                    // the standard executor.* meters carry only the name tag, as Micrometer's own do
                    assertThat(registry.get("executor.pool.max").tag("name", "io").gauge().getId().getTag("kind")).isNull();
                });
    }

    @Test
    void brokenGaugeFollowsABrokenPool() {
        this.contextRunner.withUserConfiguration(BrokenPoolConfiguration.class).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(gauge(registry, "futures.executor.broken", "failingPool")).isZero();
            Future<Integer> f = context.getBean(ThreadPoolExecutor.class).submit(() -> 1);
            assertThat(f.exception(WAIT)).isInstanceOf(BrokenThreadPool.class);
            assertThat(gauge(registry, "futures.executor.broken", "failingPool")).isEqualTo(1);
        });
    }

    @Test
    void whenMetricsDisabledNoMeterIsBound() {
        this.contextRunner.withPropertyValues("futures.metrics.enabled=false", "futures.executors.io.kind=thread")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(FuturesExecutorMetricsBinder.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    context.getBean(ThreadPoolExecutor.class).submit(() -> 1).result(WAIT);
                    assertThat(registry.getMeters()).noneMatch(meter -> meter.getId().getName().startsWith("futures.")
                            || meter.getId().getName().startsWith("executor."));
                });
    }

    @Test
    void withoutMeterRegistryNothingIsBound() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesMetricsAutoConfiguration.class))
                .withPropertyValues("futures.process.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FuturesExecutorMetricsBinder.class));
    }

    @Test
    void withoutMicrometerTheStarterStillWorks() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer"))
                .withPropertyValues("futures.process.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(FuturesExecutorMetricsBinder.class);
                    assertThat(context.getBean(ThreadPoolExecutor.class).submit(() -> 7).result(WAIT)).isEqualTo(7);
                });
    }

    @Test
    void binderBacksOffToAUserBean() {
        this.contextRunner.withUserConfiguration(UserBinderConfiguration.class)
                .run(context -> assertThat(context).hasSingleBean(FuturesExecutorMetricsBinder.class).hasBean("myBinder")
                        .doesNotHaveBean(FuturesMetricsAutoConfiguration.METRICS_BINDER_BEAN_NAME));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBinderConfiguration {

        @Bean
        FuturesExecutorMetricsBinder myBinder(org.springframework.beans.factory.config.ConfigurableListableBeanFactory beanFactory,
                                              org.springframework.beans.factory.ObjectProvider<MeterRegistry> registry) {
            return new FuturesExecutorMetricsBinder(beanFactory, registry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BrokenPoolConfiguration {

        @Bean(destroyMethod = "")
        ThreadPoolExecutor failingPool() {
            return new ThreadPoolExecutor(1, "failing", () -> {
                throw new IllegalStateException("initializer fails");
            });
        }
    }
}
