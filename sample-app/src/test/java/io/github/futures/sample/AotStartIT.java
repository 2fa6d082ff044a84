package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The sample app processed by Spring AOT ({@code process-aot}) starts from its generated initializers
 * ({@code -Dspring.aot.enabled=true}) and serves the futures endpoint.
 *
 * <p>Runs in {@code verify}: {@code process-aot} (in {@code prepare-package}) has compiled the generated
 * initializers into the application's classes.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AotStartIT {

    private static final Pattern READY = Pattern.compile(
            SampleApplication.READY.replace(".", "\\.").replace("%d", "(\\d+)"));

    /** The actuator is on the management server's own port, announced by a line of its own. */
    private static final Pattern MANAGEMENT_READY = Pattern.compile(
            SampleApplication.MANAGEMENT_READY.replace(".", "\\.").replace("%d", "(\\d+)"));

    /** The AOT-processed app starts in AOT mode and answers /actuator/futures with its pools. */
    @Test
    void aotProcessedAppStartsAndServesTheFuturesEndpoint() throws Exception {
        try (ChildJvm app = new ChildJvm(command())) {
            Matcher ready = READY.matcher(app.awaitLine(l -> READY.matcher(l).find(), 120));
            assertThat(ready.find()).isTrue();
            // started from the generated initializers, not by scanning and reflection
            assertThat(app.awaitLine(l -> l.contains("Starting AOT-processed SampleApplication"), 5)).isNotBlank();
            Matcher managementReady = MANAGEMENT_READY.matcher(app.awaitLine(l -> MANAGEMENT_READY.matcher(l).find(), 60));
            assertThat(managementReady.find()).isTrue();
            Http management = new Http(Integer.parseInt(managementReady.group(1)));

            Http.Response response = management.get("/actuator/futures");

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode executors = response.json().get("executors");
            assertThat(executors.has("futuresThreadPool")).as(response.body()).isTrue();
            assertThat(executors.get("futuresProcessPool").get("kind").asString()).isEqualTo("process");
            // the start-up check's worker answered in AOT mode too
            assertThat(executors.get("futuresProcessPool").get("liveWorkers").asInt()).isEqualTo(1);
        }
    }

    /** In AOT mode, where the configuration was read at build time, a misspelt futures key still fails start-up. */
    @Test
    void aotProcessedAppRefusesAnUnknownFuturesKey() throws Exception {
        try (ChildJvm app = new ChildJvm(command("--futures.thread.max-worker=5"))) {
            assertThat(app.awaitLine(l -> l.contains("futures.thread.max-worker: futures.thread.max-workers"), 120))
                    .isNotBlank();
            assertThat(app.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(app.process().exitValue()).isNotZero();
        }
    }

    private static List<String> command(String... args) {
        // The application's classes (with the generated initializers) and its dependencies, not the tests.
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new java.util.ArrayList<>(List.of(ChildJvm.java(), "-Dspring.aot.enabled=true", "-cp",
                classPath, SampleApplication.class.getName(), "--server.port=0", "--management.server.port=0"));
        command.addAll(List.of(args));
        return command;
    }
}
