package io.github.futures.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.autoconfigure.Untyped;
import io.github.futures.BrokenThreadPool;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tests for {@link FuturesHealthContributorAutoConfiguration}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class,
                    FuturesHealthContributorAutoConfiguration.class))
            .withPropertyValues("futures.process.enabled=false");

    private static Health health(org.springframework.context.ApplicationContext context) {
        return context.getBean(FuturesHealthContributorAutoConfiguration.HEALTH_INDICATOR_BEAN_NAME, HealthIndicator.class)
                .health(true);
    }

    @Test
    void upForAFreshContextWithASummaryPerPool() {
        this.contextRunner.withPropertyValues("futures.executors.io.kind=thread").run(context -> {
            assertThat(context).hasSingleBean(FuturesHealthIndicator.class);
            Health health = health(context);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsOnlyKeys("futuresThreadPool", "io");
            assertThat(Untyped.map(health.getDetails().get("io"))).containsEntry("state", "running")
                    .containsEntry("kind", "thread").containsKeys("workers", "maxWorkers", "pending", "running");
        });
    }

    @Test
    void downWhenAPoolIsBrokenWithWhichAndWhy() {
        this.contextRunner.withUserConfiguration(BrokenPoolConfiguration.class).run(context -> {
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            assertThat(health(context).getStatus()).isEqualTo(Status.UP);
            assertThat(pool.submit(() -> 1).exception(Duration.ofSeconds(30))).isInstanceOf(BrokenThreadPool.class);
            Health health = health(context);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            Map<String, Object> details = Untyped.map(health.getDetails().get("failingPool"));
            assertThat(details).containsEntry("state", "broken");
            assertThat((String) details.get("reason")).contains("initializer fails");
        });
    }

    /** A secret in the broken reason is masked by default and shown with {@code show-values=always}. */
    @Test
    void secretInTheBrokenReasonIsMaskedUnlessShowValuesIsAlways() {
        this.contextRunner.withUserConfiguration(SecretBrokenPoolConfiguration.class).run(context -> {
            breakPool(context);
            assertThat(reason(context)).contains("-Dapp.db.password=******").doesNotContain("hunter2");
        });
        this.contextRunner.withUserConfiguration(SecretBrokenPoolConfiguration.class)
                .withPropertyValues("management.endpoint.futures.show-values=when-authorized").run(context -> {
                    breakPool(context);
                    assertThat(reason(context)).doesNotContain("hunter2");
                });
        this.contextRunner.withUserConfiguration(SecretBrokenPoolConfiguration.class)
                .withPropertyValues("management.endpoint.futures.show-values=always").run(context -> {
                    breakPool(context);
                    assertThat(reason(context)).contains("-Dapp.db.password=hunter2");
                });
    }

    private static void breakPool(org.springframework.context.ApplicationContext context) {
        assertThat(context.getBean(ThreadPoolExecutor.class).submit(() -> 1).exception(Duration.ofSeconds(30)))
                .isInstanceOf(BrokenThreadPool.class);
    }

    private static String reason(org.springframework.context.ApplicationContext context) {
        return (String) (Untyped.map(health(context).getDetails().get("failingPool"))).get("reason");
    }

    @Test
    void aPoolThatWasShutDownIsNotDown() {
        this.contextRunner.run(context -> {
            context.getBean(ThreadPoolExecutor.class).shutdown();
            Health health = health(context);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(Untyped.map(health.getDetails().get("futuresThreadPool"))).containsEntry("state", "shutdown");
        });
    }

    @Test
    void notAutoConfiguredWhenDisabled() {
        this.contextRunner.withPropertyValues("management.health.futures.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(FuturesHealthIndicator.class));
    }

    @Test
    void backsOffToAUserBeanOfTheSameName() {
        this.contextRunner.withBean(FuturesHealthContributorAutoConfiguration.HEALTH_INDICATOR_BEAN_NAME,
                HealthIndicator.class, () -> () -> Health.up().withDetail("mine", true).build())
                .run(context -> {
                    assertThat(context).doesNotHaveBean(FuturesHealthIndicator.class);
                    assertThat(health(context).getDetails()).containsEntry("mine", true);
                });
    }

    @Test
    void notAutoConfiguredWithoutTheHealthModule() {
        this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FuturesHealthIndicator.class)
                        .hasSingleBean(ThreadPoolExecutor.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class SecretBrokenPoolConfiguration {

        @Bean(destroyMethod = "")
        ThreadPoolExecutor failingPool() {
            return new ThreadPoolExecutor(1, "failing", () -> {
                throw new IllegalStateException("cannot connect; started with java -Dapp.db.password=hunter2 Main");
            });
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
