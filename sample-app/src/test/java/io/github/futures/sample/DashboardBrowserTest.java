package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The dashboard in a real browser: headless Chromium, driven by Selenium, loads {@code /}, sees the pools with
 * charts filled from the server's history (running and pending on separate axes), latency percentiles, worker
 * chips with their uptime and used heap, a configuration line that is not cut off and the events list; starts a job and
 * watches its progress bar reach the end, then cancels a long job with its button and sees the process pool's
 * calls sent ahead explained.
 * Screenshots go to {@code target/}.
 *
 * <p>Needs Chromium and its driver: {@code chromium} (or {@code chromium-browser}, {@code google-chrome})
 * and {@code chromedriver} on the {@code PATH}, as Debian's {@code chromium} and {@code chromium-driver}
 * packages put them; without them the test is skipped (never silently passed).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureMetrics
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {

    private static final Path CHROMIUM = onPath("chromium", "chromium-browser", "google-chrome");
    private static final Path CHROMEDRIVER = onPath("chromedriver");
    private static final Pattern STARTED = Pattern.compile("Started job #(\\d+)");

    @LocalServerPort
    int port;

    @Autowired
    WebEndpointsSupplier endpoints;

    ChromeDriver driver;

    @BeforeAll
    void startBrowser(@TempDir Path profile) {
        assumeTrue(CHROMIUM != null && CHROMEDRIVER != null,
                "skipped: the browser test needs chromium and chromedriver on the PATH "
                        + "(Debian packages chromium and chromium-driver)");
        // An explicit driver and browser: Selenium Manager has nothing to look up or download.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1440,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    /** The first of the names that is an executable file in a directory of the PATH, or null. */
    static Path onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path candidate = Path.of(dir, name);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    @AfterAll
    void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    private WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
        wait.pollingEvery(Duration.ofMillis(100));
        return wait;
    }

    private String startJob(int count) {
        WebElement input = driver.findElement(By.id("job-count"));
        input.clear();
        input.sendKeys(Integer.toString(count));
        driver.findElement(By.id("start-job")).click();
        String started = waitUpTo(30).until(d -> {
            String text = d.findElement(By.id("output")).getText();
            return STARTED.matcher(text).find() && !text.equals(lastOutput) ? text : null;
        });
        lastOutput = started;
        Matcher m = STARTED.matcher(started);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private String lastOutput = "";

    private void screenshot(String name) throws Exception {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).isPositive();
    }

    /** The dashboard shows both pools live, and a started job's progress bar advances to done. */
    @Test
    void startsAJobAndWatchsItsProgressBarReachDone() throws Exception {
        driver.get("http://localhost:" + port + "/");

        for (String pool : List.of("futuresThreadPool", "futuresProcessPool")) {
            WebElement card = waitUpTo(30).until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector(".pool[data-name='" + pool + "']")));
            waitUpTo(30).until(d -> card.findElement(By.cssSelector(".badge.state")).getText().equals("running"));
        }
        assertThat(driver.findElement(By.cssSelector(".pool[data-name='futuresProcessPool'] .badge.kind")).getText())
                .isEqualTo("process");
        assertThat(driver.findElements(By.cssSelector(".pool canvas"))).hasSizeGreaterThanOrEqualTo(2);
        // A fresh page draws the server's history at once: several samples in its first answer, not one poll's.
        WebElement canvas = driver.findElement(By.cssSelector(".pool[data-name='futuresProcessPool'] canvas"));
        String firstHistory = waitUpTo(30).until(d -> canvas.getDomAttribute("data-first-history"));
        assertThat(Integer.parseInt(firstHistory)).as("samples in the first history answer").isGreaterThanOrEqualTo(2);
        // Running and pending on separate axes.
        Object axes = ((JavascriptExecutor) driver).executeScript("const c = Chart.getChart(arguments[0]);"
                + " return Object.keys(c.scales).sort().join(',') + ' ' + c.data.datasets.map(d => d.yAxisID).join(',');", canvas);
        assertThat(axes).isEqualTo("x,y,y1 y,y1");
        assertEventsList();

        String id = startJob(400);
        By bar = By.cssSelector("tr.job[data-id='" + id + "'] .progress-bar");
        List<Double> seen = new ArrayList<>();
        waitUpTo(60).until(d -> {
            List<WebElement> bars = d.findElements(bar);
            if (bars.isEmpty()) {
                return false;
            }
            double value = Double.parseDouble(bars.get(0).getDomAttribute("aria-valuenow"));
            if (seen.isEmpty() || seen.get(seen.size() - 1) != value) {
                seen.add(value);
            }
            return value == 100.0;
        });
        WebElement row = driver.findElement(By.cssSelector("tr.job[data-id='" + id + "']"));
        waitUpTo(30).until(d -> "done".equals(row.getDomAttribute("data-state")));
        assertThat(row.findElement(By.cssSelector(".job-state")).getText()).isEqualTo("done");
        assertThat(row.findElement(By.cssSelector(".progress-label")).getText()).startsWith("400 / 400");
        assertThat(seen).isSortedAccordingTo(Double::compare).last().isEqualTo(100.0);
        assertThat(row.findElement(By.cssSelector("button.cancel")).isDisplayed()).isFalse();
        // The jobs' own pool's outcome counts on the page include the 400 checks just done.
        waitUpTo(30).until(d -> Long.parseLong(d.findElement(By.cssSelector(
                ".pool[data-name='jobs'] .outcomes .success")).getText()) >= 400);
        // Latency percentiles of the jobs' pool, worker chips with uptime, configuration lines not cut off.
        WebElement jobsCard = driver.findElement(By.cssSelector(".pool[data-name='jobs']"));
        waitUpTo(30).until(d -> jobsCard.findElement(By.className("latency")).getText()
                .matches("(?s)queue wait\\s+p50 [0-9.]+ ms · p95 [0-9.]+ ms · \\d+ calls\\s+execution\\s+p50 [0-9.]+ ms · p95 [0-9.]+ ms · \\d+ calls"));
        // Each process worker's chip: pid, calls done, uptime, and the used heap it reported after its calls.
        waitUpTo(30).until(d -> jobsCard.findElement(By.className("worker-list")).getText()
                .matches("(?s).*pid \\d+ · \\d+ done · up [^·]+ · heap \\d+ MB.*"));
        for (WebElement config : driver.findElements(By.cssSelector(".pool .config"))) {
            assertThat(config.getText()).contains("maxWorkers=");
            Object cut = ((JavascriptExecutor) driver).executeScript(
                    "const e = arguments[0]; return e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1;", config);
            assertThat(cut).as("configuration line cut off: %s", config.getText()).isEqualTo(false);
        }
        screenshot("dashboard.png");
    }

    /**
     * The events list: with the futuresevents endpoint exposed, its events (a worker started, at least);
     * without it, an empty state that says so.
     */
    private void assertEventsList() {
        boolean hasEvents = endpoints.getEndpoints().stream()
                .anyMatch(e -> e.getEndpointId().toString().equals("futuresevents"));
        if (hasEvents) {
            waitUpTo(30).until(d -> d.findElements(By.cssSelector("#events li[data-type='WORKER_STARTED']")).size() > 0);
        } else {
            waitUpTo(30).until(d -> d.findElement(By.id("events-empty")).getText()
                    .startsWith("no events endpoint"));
            assertThat(driver.findElements(By.cssSelector("#events li"))).isEmpty();
        }
    }

    /** A long job's Cancel button cancels its pending checks; the row ends as cancelled. */
    @Test
    void cancelButtonStopsARunningJob() throws Exception {
        driver.get("http://localhost:" + port + "/");

        String id = startJob(5000);
        By rowLocator = By.cssSelector("tr.job[data-id='" + id + "']");
        WebElement row = waitUpTo(30).until(ExpectedConditions.presenceOfElementLocated(rowLocator));
        WebElement cancel = row.findElement(By.cssSelector("button.cancel"));
        waitUpTo(30).until(d -> cancel.isDisplayed());
        // The jobs' pool runs more calls than it has workers: the dashboard says they were sent ahead.
        WebElement sentAhead = driver.findElement(By.cssSelector(".pool[data-name='jobs'] .sent-ahead"));
        waitUpTo(30).until(d -> sentAhead.isDisplayed());
        assertThat(sentAhead.getText()).containsPattern("running \\d+ > 1 worker: \\d+ calls sent ahead");
        screenshot("dashboard-running.png");
        cancel.click();

        waitUpTo(60).until(d -> "cancelled".equals(row.getDomAttribute("data-state")));
        assertThat(row.findElement(By.cssSelector(".job-state")).getText()).isEqualTo("cancelled");
        long cancelled = Long.parseLong(row.findElements(By.cssSelector("td.num")).get(3).getText());
        assertThat(cancelled).isPositive();
        assertThat(driver.findElement(By.id("output")).getText()).contains("Job #" + id + ": cancelled");
        screenshot("dashboard-cancelled.png");
    }
}
