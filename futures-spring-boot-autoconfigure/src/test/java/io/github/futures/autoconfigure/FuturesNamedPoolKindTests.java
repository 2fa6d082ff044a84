package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A named pool's option that only the other kind of pool reads fails start-up naming it, as a misspelt key does:
 * the pool would ignore it and run with the default ({@code jvm-args} on a thread pool, {@code virtual} on a
 * process pool).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(QuietOutput.class) // the failure reports provoked here are checked, not printed
class FuturesNamedPoolKindTests {

    private static ConfigurableApplicationContext run(String... properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off", "spring.main.log-startup-info=false",
                        "futures.process.enabled=false")
                .run();
    }

    /** JVM options on a thread pool: named, with the kind and the fix; a secret in them stays masked. */
    @Test
    void processOptionOnAThreadPoolFailsNamingIt(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> run("futures.executors.io.kind=thread",
                "futures.executors.io.jvm-args=-Xmx1g,-Dapp.db.password=hunter2").close());
        assertThat(output.toString()).contains("APPLICATION FAILED TO START")
                .contains("for configuration property 'futures.executors.io.jvm-args'")
                .contains("-Dapp.db.password=******")
                .contains("Only process pools read it, and 'io' is a thread pool")
                .contains("make the pool a process pool")
                .doesNotContain("hunter2");
    }

    /** An environment variable for workers, on a thread pool: named, its value never shown. */
    @Test
    void workerEnvironmentOnAThreadPoolFailsWithoutShowingTheValue(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> run("futures.executors.io.kind=thread",
                "futures.executors.io.environment.DB_PASSWORD=hunter2").close());
        assertThat(output.toString()).contains("Invalid value '******' for configuration property "
                + "'futures.executors.io.environment.").contains("DB_PASSWORD").doesNotContain("hunter2");
    }

    /** A process pool's own group option (startup-archive.*) on a thread pool is named as well. */
    @Test
    void processGroupOptionOnAThreadPoolFailsNamingIt(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> run("futures.executors.io.kind=thread",
                "futures.executors.io.startup-archive.enabled=false").close());
        assertThat(output.toString()).contains("futures.executors.io.startup-archive.enabled");
    }

    /** Virtual threads asked of a process pool: named, with the fix. */
    @Test
    void threadOptionOnAProcessPoolFailsNamingIt(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> run("futures.executors.reports.kind=process",
                "futures.executors.reports.validate-on-startup=false", "futures.executors.reports.virtual=true").close());
        assertThat(output.toString()).contains("futures.executors.reports.virtual")
                .contains("Only thread pools read it, and 'reports' is a process pool");
    }

    /** The options both kinds read start either kind. */
    @Test
    void sharedOptionsStartBothKinds() {
        try (ConfigurableApplicationContext context = run("futures.executors.io.kind=thread",
                "futures.executors.io.max-workers=2", "futures.executors.io.call-timeout=5s",
                "futures.executors.io.max-pending=10", "futures.executors.io.shutdown.timeout=1s",
                "futures.executors.io.thread-name-prefix=io", "futures.executors.reports.kind=process",
                "futures.executors.reports.max-workers=1", "futures.executors.reports.call-timeout=5s",
                "futures.executors.reports.max-pending=10", "futures.executors.reports.validate-on-startup=false",
                "futures.executors.reports.jvm-args=-Xmx64m")) {
            assertThat(context.getBean("io", ThreadPoolExecutor.class).maxWorkers()).isEqualTo(2);
            assertThat(context.getBean("reports", ProcessPoolExecutor.class).maxWorkers()).isEqualTo(1);
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(FuturesAutoConfiguration.class)
    static class App {
    }
}
