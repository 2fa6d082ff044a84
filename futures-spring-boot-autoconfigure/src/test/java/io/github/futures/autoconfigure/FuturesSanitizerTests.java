package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link FuturesSanitizer}: the one step that masks secrets wherever the starter shows them. */
public class FuturesSanitizerTests {

    /** Each secret-bearing option seen in the wild, with its secret. */
    public static final Map<String, String> EXAMPLES = Map.of(
            "-Dapp.db.password=hunter2", "hunter2",
            "-Dpwd=pw-secret1", "pw-secret1",
            "-Ddb.passwd=pw-secret2", "pw-secret2",
            "-Dspring.application.json={\"db\":{\"password\":\"json-secret\"}}", "json-secret",
            "-Dspring.datasource.url=jdbc:postgresql://db:5432/app?user=app&password=jdbc-secret", "jdbc-secret",
            "-Dspring.datasource.url=jdbc:mysql://app:userinfo-secret@db:3306/app", "userinfo-secret",
            "-javaagent:/opt/agent.jar=apikey=agent-secret,host=apm", "agent-secret",
            "-Dapi.TOKEN=token-secret", "token-secret",
            "-Dssl.key=key-secret", "key-secret");

    private final FuturesSanitizer sanitizer = FuturesSanitizer.builtIn();

    @Test
    void everySecretBearingOptionIsMaskedWhenValuesAreNotShown() {
        EXAMPLES.forEach((arg, secret) -> {
            String shown = this.sanitizer.arg("jvmOptions", arg, false);
            assertThat(shown).as(arg).doesNotContain(secret).contains(FuturesSanitizer.MASK);
        });
    }

    @Test
    void everySecretBearingOptionIsShownWhenValuesAreShown() {
        EXAMPLES.forEach((arg, secret) -> assertThat(this.sanitizer.arg("jvmOptions", arg, true)).isEqualTo(arg));
    }

    /** Only the secret goes: the option's name and the rest of the URL stay readable; an agent keeps its jar. */
    @Test
    void maskingKeepsWhatIsNotSecret() {
        assertThat(this.sanitizer.arg("jvmOptions", "-Dapp.db.password=hunter2", false))
                .isEqualTo("-Dapp.db.password=******");
        assertThat(this.sanitizer.arg("jvmOptions",
                "-Dspring.datasource.url=jdbc:postgresql://db:5432/app?user=app&password=jdbc-secret", false))
                .isEqualTo("-Dspring.datasource.url=jdbc:postgresql://db:5432/app?user=app&password=******");
        // an agent's options are its own language: masked whole, as core masks them in its messages
        assertThat(this.sanitizer.arg("jvmOptions", "-javaagent:/opt/agent.jar=apikey=agent-secret,host=apm", false))
                .isEqualTo("-javaagent:/opt/agent.jar=******");
        assertThat(this.sanitizer.arg("jvmOptions", "-Dspring.application.json={\"a\":1}", false))
                .isEqualTo("-Dspring.application.json=******");
        assertThat(this.sanitizer.arg("jvmOptions", "-Dapp.mode=test", false)).isEqualTo("-Dapp.mode=test");
        assertThat(this.sanitizer.arg("jvmOptions", "-Xmx64m", false)).isEqualTo("-Xmx64m");
        assertThat(this.sanitizer.arg("jvmOptions", "-XX:+UseSerialGC", false)).isEqualTo("-XX:+UseSerialGC");
    }

    /** A command line inside a message (a broken pool's reason) is masked word by word, JSON across spaces too. */
    @Test
    void commandLineInsideATextIsMasked() {
        String reason = "could not start a worker process (java.io.IOException: no such file); command: /opt/java "
                + String.join(" ", EXAMPLES.keySet()) + " -Dspring.application.json={\"db\": {\"password\": \"spaced-secret\"}}"
                + " -cp app.jar io.github.futures.process.WorkerMain";
        String shown = this.sanitizer.text("brokenReason", reason, false);
        EXAMPLES.values().forEach(secret -> assertThat(shown).doesNotContain(secret));
        assertThat(shown).doesNotContain("spaced-secret").startsWith("could not start a worker process")
                .contains("-Dapp.db.password=******", "-cp app.jar io.github.futures.process.WorkerMain");
        assertThat(this.sanitizer.text("brokenReason", reason, true)).isEqualTo(reason);
    }

    /** A rule (an application's SanitizingFunction) applies whether values are shown or not, and wins. */
    @Test
    void ruleAppliesInEveryModeAndWins() {
        FuturesSanitizer withRule = new FuturesSanitizer(
                () -> List.of((key, value) -> key.equals("app.region") ? "[region]" : value));
        for (boolean show : new boolean[] { false, true }) {
            assertThat(withRule.arg("jvmOptions", "-Dapp.region=eu-west-1", show)).isEqualTo("-Dapp.region=[region]");
            assertThat(withRule.text("brokenReason", "java -Dapp.region=eu-west-1 Main", show))
                    .isEqualTo("java -Dapp.region=[region] Main");
        }
        assertThat(withRule.arg("jvmOptions", "-Dapp.db.password=hunter2", true)).isEqualTo("-Dapp.db.password=hunter2");
        assertThat(withRule.arg("jvmOptions", "-Dapp.db.password=hunter2", false)).isEqualTo("-Dapp.db.password=******");
    }

    @Test
    void configurationIsMaskedEntryByEntryAndEnvironmentValuesNeverShow() {
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("jvmOptions", List.of("-Xmx64m", "-Dpassword=p", "-Duser=u"));
        config.put("environment", Map.of("API_TOKEN", "t"));
        config.put("env", List.of("TZ", "DB_PASSWORD=hunter2"));
        config.put("maxWorkers", 2);
        config.put("javaExecutable", "/opt/java");
        Map<String, Object> masked = this.sanitizer.config(config, false);
        assertThat(masked.get("jvmOptions")).isEqualTo(List.of("-Xmx64m", "-Dpassword=******", "-Duser=u"));
        assertThat(masked.get("environment")).isEqualTo(Map.of("API_TOKEN", "******"));
        assertThat(masked.get("env")).isEqualTo(List.of("TZ", "DB_PASSWORD=******"));
        assertThat(masked).containsEntry("maxWorkers", 2).containsEntry("javaExecutable", "/opt/java");
        Map<String, Object> shown = this.sanitizer.config(config, true);
        assertThat(shown.get("jvmOptions")).isEqualTo(List.of("-Xmx64m", "-Dpassword=p", "-Duser=u"));
        assertThat(shown.get("environment")).isEqualTo(Map.of("API_TOKEN", "******"));
    }

    /** Log lines describe a failure and its causes with their messages masked. */
    @Test
    void failureForALogLineIsMasked() {
        Exception failure = new IllegalStateException("pool broken; command: java -Dapp.db.password=hunter2 Main",
                new RuntimeException("agent -javaagent:/a.jar=apikey=agent-secret"));
        assertThat(this.sanitizer.describe(failure))
                .isEqualTo("java.lang.IllegalStateException: pool broken; command: java -Dapp.db.password=****** Main"
                        + "; caused by java.lang.RuntimeException: agent -javaagent:/a.jar=******");
    }
}
