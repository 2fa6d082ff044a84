package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The executable jar, run as a user runs it ({@code java -jar sample-app-*.jar}): its process pool starts
 * worker JVMs from inside the Boot jar and answers the seed's prime example over HTTP.
 *
 * <p>Runs in {@code verify}, after {@code repackage} has built the jar (failsafe passes its path).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BootJarIT {

    private static final Pattern READY = Pattern.compile(
            SampleApplication.READY.replace(".", "\\.").replace("%d", "(\\d+)"));

    /** The actuator is on the management server's own port, announced by a line of its own. */
    private static final Pattern MANAGEMENT_READY = Pattern.compile(
            SampleApplication.MANAGEMENT_READY.replace(".", "\\.").replace("%d", "(\\d+)"));

    /**
     * The jar's manifest opens and exports what Hazelcast asks for, so {@code java -jar} with no flags starts a
     * cluster node without Hazelcast's warning about missing access to JDK internals.
     */
    @Test
    void clusterNodeFromTheJarNeedsNoJvmFlags() throws Exception {
        Path jar = Path.of(System.getProperty("sample.jar"));
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes manifest = file.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Add-Opens").split(" ")).containsExactlyInAnyOrder("java.base/java.lang",
                    "java.base/sun.nio.ch", "java.management/sun.management", "jdk.management/com.sun.management.internal");
            assertThat(manifest.getValue("Add-Exports")).isEqualTo("java.base/jdk.internal.ref");
        }
        int memberPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            memberPort = socket.getLocalPort();
        }
        try (ChildJvm app = new ChildJvm(List.of(ChildJvm.java(), "-Dhazelcast.phone.home.enabled=false", "-jar",
                jar.toString(), "--server.port=0", "--management.server.port=0", "--futures.cluster.enabled=true",
                "--futures.cluster.name=bootjar-" + UUID.randomUUID(), "--futures.cluster.port=" + memberPort,
                "--futures.cluster.members=127.0.0.1:" + memberPort))) {
            app.awaitLine(l -> READY.matcher(l).find(), 120);
            assertThat(app.lines()).as("Hazelcast started").anyMatch(l -> l.contains("Members {size:1"));
            assertThat(app.lines()).noneMatch(l -> l.contains("without proper access to required Java packages"));
        }
    }

    /** A process-pool request through the executable jar gives the seed's answers, from worker JVMs. */
    @Test
    void processPoolWorksFromTheExecutableJar() throws Exception {
        String jarProperty = System.getProperty("sample.jar");
        assertThat(jarProperty).as("system property sample.jar (set by failsafe)").isNotBlank();
        Path jar = Path.of(jarProperty);
        assertThat(jar).isRegularFile();

        try (ChildJvm app = new ChildJvm(List.of(ChildJvm.java(), "-jar", jar.toString(), "--server.port=0",
                "--management.server.port=0"))) {
            Matcher ready = READY.matcher(app.awaitLine(l -> READY.matcher(l).find(), 120));
            assertThat(ready.find()).isTrue();
            Http http = new Http(Integer.parseInt(ready.group(1)));

            Http.Response response = http.get("/api/primes?start=1000000000000&count=200&chunksize=20");

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode results = response.json().get("results");
            assertThat(results.size()).isEqualTo(200);
            for (int i = 0; i < 200; i++) {
                long n = 1_000_000_000_000L + i;
                assertThat(results.get(i).get("n").asLong()).isEqualTo(n);
                assertThat(results.get(i).get("prime").asBoolean()).as("%d is prime", n).isEqualTo(Primes.isPrime(n));
            }
            // The calls really ran in worker JVMs: the pool started workers, and they are children of the app.
            Matcher managementReady = MANAGEMENT_READY.matcher(app.awaitLine(l -> MANAGEMENT_READY.matcher(l).find(), 60));
            assertThat(managementReady.find()).isTrue();
            Http management = new Http(Integer.parseInt(managementReady.group(1)));
            JsonNode pool = management.get("/actuator/futures").json().get("executors").get("futuresProcessPool");
            assertThat(pool.get("completed").get("success").asLong()).isPositive();
            assertThat(app.process().descendants().filter(p -> p.info().command().orElse("").endsWith("java")).count())
                    .isPositive();
        }
    }
}
