package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/** What a user sees when a property has a bad value or an unknown name: Spring Boot's failure report names it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(QuietOutput.class) // the failure reports provoked here are checked, not printed
class FuturesStartupFailureTests {

    private static void start(String... properties) {
        run(properties).close();
    }

    private static ConfigurableApplicationContext run(String... properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off", "spring.main.log-startup-info=false").run();
    }

    @Test
    void badMaxWorkersIsReportedWithThePropertyAndWhatToDo(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.thread.max-workers=0"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.thread.max-workers")
                .contains("Must be at least 1")
                .contains("Action:");
    }

    @Test
    void unknownKindIsReportedWithThePropertyAndTheAllowedValues(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.executors.io.kind=fiber"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.executors.io.kind")
                .contains("fiber")
                .contains("The following values are valid").contains("THREAD").contains("PROCESS");
    }

    /** A malformed serial filter fails start-up naming the property, not the first call. */
    @Test
    void badSerialFilterIsReportedWithTheProperty(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.process.serial-filter=java.**;!*;maxdepth=deep"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.process.serial-filter")
                .contains("Not a java.io.ObjectInputFilter pattern");
    }

    /** A message size the wire cannot carry fails start-up naming the named pool's property. */
    @Test
    void badMaxMessageSizeIsReportedWithTheProperty(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.executors.reports.kind=process",
                "futures.executors.reports.max-message-size=3GB"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.executors.reports.max-message-size")
                .contains("Must be at least 1KB and below 2GB");
    }

    /** An entry of jvm-args that is not an option (it would become the worker's main class) fails start-up naming it. */
    @Test
    void jvmArgThatIsNotAnOptionIsReportedWithThePropertyAndTheEntry(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.process.jvm-args=-Xmx64m,garbage"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.process.jvm-args[1]")
                .contains("'garbage'")
                .contains("Not a JVM option");
    }

    /** A named process pool's jvm-args are checked the same way, under the pool's own prefix. */
    @Test
    void namedPoolJvmArgThatIsNotAnOptionIsReportedWithItsProperty(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.executors.reports.kind=process",
                "futures.executors.reports.jvm-args=garbage"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.executors.reports.jvm-args[0]")
                .contains("Not a JVM option");
    }

    /** A launcher option that takes its value from the next entry is accepted with that value. */
    @Test
    void optionWithItsValueInTheNextEntryStarts() {
        try (ConfigurableApplicationContext context = run("futures.process.validate-on-startup=false",
                "futures.process.jvm-args=--add-opens,java.base/java.lang=ALL-UNNAMED,-Xmx64m")) {
            assertThat(context.getBean(ProcessPoolExecutor.class).workerCommand())
                    .containsSubsequence("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xmx64m");
        }
    }

    /** A JVM option the worker's JVM refuses fails start-up, naming the property, when the first worker starts. */
    @Test
    void unknownJvmOptionFailsStartupWhenTheFirstWorkerStarts(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.process.jvm-args=-XX:+NoSuchOption"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.process.jvm-args")
                .contains("The first worker of process pool 'futuresProcessPool' failed to start")
                .contains("validate-on-startup=false");
    }

    /** A java executable that is no file fails start-up naming the property, before any worker starts. */
    @Test
    void missingJavaExecutableIsReportedWithTheProperty(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.process.java-executable=/no/such/jdk/bin/java"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.process.java-executable")
                .contains("No executable file there");
    }

    /** An executable that is not a java launcher fails start-up naming the property, when the first worker starts. */
    @Test
    @EnabledOnOs({ OS.LINUX, OS.MAC })
    void javaExecutableThatIsNotJavaFailsStartupWhenTheFirstWorkerStarts(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.process.java-executable=/bin/false"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.process.java-executable")
                .contains("failed to start");
    }

    /** With validate-on-startup off no worker starts with the context, so a bad option only shows on first use. */
    @Test
    void withoutValidationOnStartupNoWorkerStartsWithTheContext() {
        try (ConfigurableApplicationContext context = run("futures.process.validate-on-startup=false",
                "futures.process.jvm-args=-XX:+NoSuchOption")) {
            assertThat(context.getBean(ProcessPoolExecutor.class).snapshot().workersStarted()).isZero();
        }
    }

    /** A valid configuration starts, and its process pool has one worker, started and checked at refresh. */
    @Test
    void validConfigurationStartsWithOneCheckedWorker() {
        try (ConfigurableApplicationContext context = run("futures.process.jvm-args=-Xmx64m",
                "futures.executors.reports.kind=process", "futures.executors.reports.max-workers=1",
                "futures.executors.io.kind=thread")) {
            assertThat(context.getBean(ProcessPoolExecutor.class).snapshot().workersStarted()).isEqualTo(1);
            assertThat(context.getBean("reports", ProcessPoolExecutor.class).snapshot().workersStarted()).isEqualTo(1);
        }
    }

    /** A misspelt key, silently ignored by binding, fails start-up listing the closest valid names. */
    @Test
    void unknownKeyFailsStartupWithTheClosestValidNames(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.thread.max-worker=5"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("The futures starter does not know these properties")
                .contains("futures.thread.max-worker (originating from")
                .contains("futures.thread.max-worker: futures.thread.max-workers");
    }

    /** A misspelt key of a named pool is suggested under that pool's name. */
    @Test
    void unknownKeyOfANamedPoolIsSuggestedUnderThePoolsName(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.executors.io.kind=thread",
                "futures.executors.io.thread-prefix=io"));
        assertThat(output).contains("futures.executors.io.thread-prefix: futures.executors.io.thread-name-prefix");
    }

    /** Relaxed names, list and map entries, cluster properties and named pools are all known. */
    @Test
    void knownKeysInEveryFormStart() {
        try (ConfigurableApplicationContext context = run("futures.process.validate-on-startup=false",
                "futures.thread.maxWorkers=3", "futures.process.jvm-args[0]=-Xmx64m",
                "futures.process.environment.APP_MODE=batch", "futures.cluster.port=5702", "futures.executors.io.kind=thread",
                "futures.executors.io.max_workers=2", "futures.shutdown.timeout=5s")) {
            assertThat(context.getBean(ThreadPoolExecutor.class).maxWorkers()).isEqualTo(3);
            assertThat(context.getBean("io", ThreadPoolExecutor.class).maxWorkers()).isEqualTo(2);
        }
    }

    /** The keys of the events, HTTP errors, liveness and per-pool shutdown are known; a misspelt one is suggested. */
    @Test
    void keysOfEventsErrorsLivenessAndPoolShutdownAreKnown(QuietOutput.Captured output) {
        try (ConfigurableApplicationContext context = run("futures.process.validate-on-startup=false",
                "futures.events.capacity=32", "futures.web.errors.enabled=false", "futures.web.errors.retry-after=2s",
                "futures.health.liveness=false", "futures.shutdown.log-interval=2s", "futures.executors.jobs.kind=thread",
                "futures.executors.jobs.shutdown.cancel-futures=true", "futures.executors.jobs.shutdown.timeout=5s")) {
            assertThat(context.getBean("jobs", ThreadPoolExecutor.class).maxWorkers()).isPositive();
        }
        assertThatException().isThrownBy(() -> start("futures.executors.jobs.kind=thread",
                "futures.executors.jobs.shutdown.cancel-future=true"));
        assertThat(output).contains("futures.executors.jobs.shutdown.cancel-future: futures.executors.jobs.shutdown.cancel-futures");
    }

    /** A negative timeout of a named pool's shutdown fails start-up naming its property. */
    @Test
    void negativePoolShutdownTimeoutIsReportedWithTheProperty(QuietOutput.Captured output) {
        assertThatException().isThrownBy(() -> start("futures.process.enabled=false", "futures.executors.jobs.kind=thread",
                "futures.executors.jobs.shutdown.timeout=-1s"));
        assertThat(output).contains("futures.executors.jobs.shutdown.timeout");
    }

    /** A process pool with more than four workers per processor starts, with one warning naming the pool. */
    @Test
    void oversizedProcessPoolLogsOneWarningNamingThePool(QuietOutput.Captured output) {
        int cpus = Runtime.getRuntime().availableProcessors();
        try (ConfigurableApplicationContext context = run("futures.process.validate-on-startup=false",
                "futures.process.max-workers=" + (4 * cpus + 1), "futures.executors.reports.kind=process",
                "futures.executors.reports.validate-on-startup=false",
                "futures.executors.reports.max-workers=" + (4 * cpus))) {
            assertThat(context.isActive()).isTrue();
            assertThat(output.getOut().split("Process pool 'futuresProcessPool' has " + (4 * cpus + 1) + " workers", -1))
                    .hasSize(2);
            assertThat(output).contains("futures.process.max-workers").doesNotContain("Process pool 'reports'");
        }
    }

    /**
     * A properties class of another module under futures.* is known through its configuration metadata: its
     * names start, and a misspelt one is suggested.
     */
    @Test
    void namesOfOtherPropertiesClassesUnderFuturesAreKnownFromTheirMetadata(QuietOutput.Captured output) {
        run("futures.process.validate-on-startup=false", "futures.extra.ring-size=5").close();
        assertThatException().isThrownBy(() -> start("futures.process.validate-on-startup=false",
                "futures.extra.ring-sise=5"));
        assertThat(output).contains("futures.extra.ring-sise: futures.extra.ring-size");
    }

    /** Stands for a properties class of another module under the futures prefix (its metadata is generated). */
    @ConfigurationProperties("futures.extra")
    static class ExtraProperties {

        /** Size of a ring buffer. */
        private int ringSize = 100;

        public int getRingSize() {
            return this.ringSize;
        }

        public void setRingSize(int ringSize) {
            this.ringSize = ringSize;
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(FuturesAutoConfiguration.class)
    static class App {
    }
}
