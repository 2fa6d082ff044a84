package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * A start-up failure about a worker option names the property and the fix, but shows a secret in the option
 * masked, as the starter shows worker options everywhere else: the failure report and the exception are
 * logged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(QuietOutput.class) // the failure reports provoked here are checked, not printed
class FuturesStartupSecretsTests {

    private static void start(String... properties) {
        new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off", "spring.main.log-startup-info=false").run().close();
    }

    /** A system property written without its -D is refused as no JVM option, its secret value masked. */
    @Test
    void jvmArgThatIsNotAnOptionIsReportedWithItsSecretMasked(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.thread.enabled=false",
                "futures.process.jvm-args=-Xmx64m,app.db.password=hunter2"))
                .satisfies(e -> assertThat(e.getMessage()).contains("futures.process.jvm-args[1]").doesNotContain("hunter2"));
        assertThat(output.toString()).contains("APPLICATION FAILED TO START")
                .contains("futures.process.jvm-args[1]")
                .contains("app.db.password=******")
                .contains("Not a JVM option")
                .doesNotContain("hunter2");
    }

    /** The same written as a list, one entry per key (as YAML lists are read): the report quotes the entry masked. */
    @Test
    void jvmArgListEntryThatIsNotAnOptionIsReportedWithItsSecretMasked(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.thread.enabled=false",
                "futures.process.jvm-args[0]=-Xmx64m", "futures.process.jvm-args[1]=app.db.password=hunter2"));
        assertThat(output.toString()).contains("APPLICATION FAILED TO START")
                .contains("Invalid value 'app.db.password=******' for configuration property 'futures.process.jvm-args[1]'"
                        + " (originating from")
                .contains("Not a JVM option")
                .contains("Action:")
                .doesNotContain("hunter2");
    }

    /**
     * JVM options the worker's JVM refuses fail start-up when the first worker starts (validate-on-startup): the
     * report quotes them with the secret among them masked.
     */
    @Test
    void jvmArgsRefusedByTheWorkerAreReportedWithTheirSecretMasked(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.thread.enabled=false",
                "futures.process.jvm-args=-Dapp.db.password=hunter2,-XX:+NoSuchOption"));
        assertThat(output.toString()).contains("APPLICATION FAILED TO START")
                .contains("for configuration property 'futures.process.jvm-args'")
                .contains("-Dapp.db.password=******")
                .contains("failed to start")
                .doesNotContain("hunter2");
    }

    /** The same for a named pool's option. */
    @Test
    void namedPoolJvmArgThatIsNotAnOptionIsReportedWithItsSecretMasked(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.executors.reports.kind=process",
                "futures.executors.reports.jvm-args=api.token=s3cr3t-t0ken"));
        assertThat(output.toString()).contains("futures.executors.reports.jvm-args[0]")
                .contains("Not a JVM option")
                .doesNotContain("s3cr3t-t0ken");
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(FuturesAutoConfiguration.class)
    static class App {
    }
}
