package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.hazelcast.ClusterExecutor;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The sample app as a node of a two-member cluster on loopback: this test JVM (the app, with
 * {@code futures.cluster.enabled=true}) and a plain {@code ClusterNode} in a child JVM with the same class
 * path. {@code GET /api/cluster/primes} over real HTTP must answer correctly and say which process checked
 * which number, and the dashboard, in a real browser, must show the members and where the work ran.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"futures.cluster.enabled=true", "management.endpoints.web.exposure.include=futures"})
@DirtiesContext // the context holds a Hazelcast member: it leaves the cluster when this class is done
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterExampleTests {

    private static final String CLUSTER = "sample-test-" + UUID.randomUUID();
    private static ChildJvm otherNode;
    private static long otherPid;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    ClusterExecutor clusterPool;

    Http http;

    /** Starts the other member first, so that the app's member joins it when its context starts. */
    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) throws Exception {
        int nodePort = freePort();
        int appPort = freePort();
        List<String> command = new ArrayList<>(List.of(ChildJvm.java(), "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Dhazelcast.phone.home.enabled=false",
                "-cp", System.getProperty("java.class.path"), "io.github.futures.hazelcast.ClusterNode",
                "--cluster-name=" + CLUSTER, "--port=" + nodePort, "--members=127.0.0.1:" + appPort,
                "--pool-size=2"));
        otherNode = new ChildJvm(command);
        otherNode.awaitLine(line -> line.startsWith("futures cluster node ") && line.contains(" is up "), 60);
        otherPid = otherNode.process().pid();
        registry.add("futures.cluster.name", () -> CLUSTER);
        registry.add("futures.cluster.port", () -> appPort);
        registry.add("futures.cluster.members", () -> "127.0.0.1:" + nodePort);
    }

    @AfterAll
    static void stopOtherNode() {
        if (otherNode != null) {
            otherNode.close();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void client() {
        http = new Http(port);
        assertThat(clusterPool.awaitMembers(2, Duration.ofSeconds(30)))
                .as("the app's member joins the child JVM's member").isTrue();
    }

    /** Every number's answer is right, comes back in order, and was checked by a member of the cluster. */
    @Test
    void primesRunOnTheClusterAndSayWhereEachNumberWasChecked() {
        long start = 1_000_000_000_000L;
        int count = 60;
        int chunksize = 3;
        Http.Response response = http.get("/api/cluster/primes?start=" + start + "&count=" + count
                + "&chunksize=" + chunksize);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode body = response.json();
        long appPid = ProcessHandle.current().pid();
        assertThat(body.get("pid").asLong()).isEqualTo(appPid);
        List<Long> expectedPrimes = LongStream.range(start, start + count).filter(Primes::isPrime).boxed().toList();
        assertThat(expectedPrimes).isNotEmpty();
        List<Long> primes = new ArrayList<>();
        body.get("primes").forEach(p -> primes.add(p.asLong()));
        assertThat(primes).isEqualTo(expectedPrimes);

        JsonNode results = body.get("results");
        assertThat(results.size()).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            JsonNode r = results.get(i);
            assertThat(r.get("n").asLong()).isEqualTo(start + i);
            assertThat(r.get("prime").asBoolean()).as("is %d prime", start + i).isEqualTo(Primes.isPrime(start + i));
            assertThat(r.get("pid").asLong()).isIn(appPid, otherPid);
            // A chunk is one call: all of its numbers were checked in the same process.
            assertThat(r.get("pid").asLong()).isEqualTo(results.get(i - i % chunksize).get("pid").asLong());
        }

        Set<Long> memberPids = new HashSet<>();
        body.get("members").forEach(m -> memberPids.add(m.get("pid").asLong()));
        assertThat(memberPids).containsExactlyInAnyOrder(appPid, otherPid);

        int numbers = 0;
        int calls = 0;
        Set<Long> ranOnPids = new HashSet<>();
        for (JsonNode where : body.get("ranOn")) {
            long pid = where.get("pid").asLong();
            ranOnPids.add(pid);
            assertThat(where.get("local").asBoolean()).isEqualTo(pid == appPid);
            assertThat(where.get("member").asString()).startsWith("127.0.0.1:");
            long checkedThere = LongStream.range(0, count).filter(i -> results.get((int) i).get("pid").asLong() == pid).count();
            assertThat(where.get("numbers").asLong()).isEqualTo(checkedThere);
            numbers += where.get("numbers").asInt();
            calls += where.get("calls").asInt();
        }
        assertThat(numbers).isEqualTo(count);
        assertThat(calls).isEqualTo(count / chunksize);
        // Each call goes to the member with the fewest in flight, so 20 calls cannot all land on one of two.
        assertThat(ranOnPids).containsExactlyInAnyOrder(appPid, otherPid);
    }

    /** The dashboard's data source lists the cluster pool with both members as its workers. */
    @Test
    void actuatorListsTheClusterPoolWithItsMembers() {
        JsonNode pool = new Http(managementPort).get("/actuator/futures").json().get("executors").get("futuresClusterPool");

        assertThat(pool).as("futuresClusterPool in /actuator/futures").isNotNull();
        assertThat(pool.get("kind").asString()).isEqualTo("cluster");
        Set<Long> pids = new HashSet<>();
        pool.get("workers").forEach(w -> pids.add(w.get("pid").asLong()));
        assertThat(pids).containsExactlyInAnyOrder(ProcessHandle.current().pid(), otherPid);
    }

    /** Bad input is a 400 that says what was wrong, before anything is sent to the cluster. */
    @Test
    void badInputIsRejected() {
        Http.Response response = http.get("/api/cluster/primes?count=0");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("message").asString()).contains("count must be between 1 and");
    }

    /**
     * In a real browser, the cluster pool's card lists both members, and its "Cluster example" button shows
     * one row per process that did work, the counts adding up to the 200 numbers. Screenshot in target/.
     */
    @Test
    void dashboardShowsTheMembersAndWhereTheWorkRan(@TempDir Path profile) throws Exception {
        Path chromium = DashboardBrowserTest.onPath("chromium", "chromium-browser", "google-chrome");
        Path chromedriver = DashboardBrowserTest.onPath("chromedriver");
        assumeTrue(chromium != null && chromedriver != null,
                "skipped: the browser test needs chromium and chromedriver on the PATH "
                        + "(Debian packages chromium and chromium-driver)");
        System.setProperty("webdriver.chrome.driver", chromedriver.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1440,1300", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            wait.pollingEvery(Duration.ofMillis(100));
            driver.get("http://localhost:" + port + "/");
            By card = By.cssSelector(".pool[data-name='futuresClusterPool']");
            String appPid = Long.toString(ProcessHandle.current().pid());
            String childPid = Long.toString(otherPid);
            // The members, as worker chips: address and pid of each.
            wait.until(d -> {
                String chips = d.findElement(card).findElement(By.className("worker-list")).getText();
                return chips.contains("pid " + appPid) && chips.contains("pid " + childPid);
            });
            List<WebElement> threadPoolButton = driver.findElements(
                    By.cssSelector(".pool[data-name='futuresThreadPool'] .run-cluster"));
            assertThat(threadPoolButton).hasSize(1);
            assertThat(threadPoolButton.get(0).isDisplayed()).as("the button shows on the cluster card only").isFalse();

            driver.findElement(card).findElement(By.className("run-cluster")).click();
            List<WebElement> rows = wait.until(d -> {
                List<WebElement> r = d.findElement(card).findElements(By.className("where-row"));
                return r.size() == 2 ? r : null;
            });
            int numbers = 0;
            Set<String> pids = new HashSet<>();
            for (WebElement row : rows) {
                pids.add(row.getDomAttribute("data-pid"));
                Matcher m = Pattern.compile("(\\d+) numbers · (\\d+) calls").matcher(row.getText());
                assertThat(m.find()).as(row.getText()).isTrue();
                numbers += Integer.parseInt(m.group(1));
            }
            assertThat(pids).containsExactlyInAnyOrder(appPid, childPid);
            assertThat(numbers).isEqualTo(200);
            assertThat(driver.findElement(card).findElement(By.className("cluster-summary")).getText())
                    .startsWith("200 numbers, ");

            File shot = driver.getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "dashboard-cluster.png");
            Files.createDirectories(target.getParent());
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(target)).isPositive();
        } finally {
            driver.quit();
        }
    }
}
