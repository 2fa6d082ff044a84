package io.github.futures.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, for one short iteration in this JVM, so that the benchmarks keep
 * compiling and working: each workload checks its own results and a failure fails the run. Speed
 * is not asserted (that is the full run's job, see BENCHMARKS.md). In the default build the peers
 * are our pool and the JDK's; with {@code -Pbench} Spring's pool and the Micrometer listener as well.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BenchmarkSmokeTest {

    private static final Path OUTPUT = Path.of("target", "jmh-smoke");

    static {
        // JMH refuses to start while another JMH run holds its lock file in java.io.tmpdir; on a
        // shared build machine that is somebody else's build. Read once, when Runner is initialized.
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void submitBenchmarkRunsForEveryPool() throws RunnerException {
        assertRuns(SubmitBenchmark.class, "impl", Peers.available());
    }

    @Test
    void roundTripBenchmarkRunsForEveryPool() throws RunnerException {
        assertRuns(RoundTripBenchmark.class, "impl", Peers.available());
    }

    @Test
    void mapBenchmarkRunsForEveryPool() throws RunnerException {
        assertRuns(MapBenchmark.class, "impl", Peers.available());
    }

    @Test
    void asCompletedBenchmarkRunsForEveryPool() throws RunnerException {
        assertRuns(AsCompletedBenchmark.class, "impl", Peers.available());
    }

    @Test
    void waitFirstCompletedBenchmarkRunsForEveryPool() throws RunnerException {
        assertRuns(WaitFirstCompletedBenchmark.class, "impl", Peers.available());
    }

    @Test
    void metricsBenchmarkRunsForEveryListener() throws RunnerException {
        assertRuns(MetricsBenchmark.class, "listener", MetricsBenchmark.available());
    }

    @Test
    void processPoolBenchmarkRuns() throws RunnerException {
        assertRuns(ProcessPoolBenchmark.class, "workers", List.of("2"));
    }

    @Test
    void pipeFloorBenchmarkRunsBothWays() throws RunnerException {
        assertRuns(PipeFloorBenchmark.class, "mode", List.of("direct", "reader"));
    }

    @Test
    void processPoolStartBenchmarkRuns() throws RunnerException {
        assertRuns(ProcessPoolStartBenchmark.class, "workers", List.of("2"));
    }

    @Test
    void prestartedFirstCallBenchmarkRunsPrestartedAndNot() throws RunnerException {
        assertRuns(PrestartedFirstCallBenchmark.class, "prestart", List.of("true", "false"));
    }

    @Test
    void isPrimeBenchmarkRunsForBothChunkSizes() throws RunnerException {
        assertRuns(IsPrimeBenchmark.class, "chunksize", List.of("1", "20"));
    }

    /** The memory target is a fact, not a speed: a million pending futures must fit in a 256 MB heap. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void millionPendingFuturesFitIn256MegabytesOfHeap() throws IOException, InterruptedException {
        String printed = runProgram("footprint.txt", false, 100, List.of("-Xmx256m"), PendingFuturesFootprint.class,
                Peers.FUTURES, "1000000");
        assertThat(printed).contains("impl=futures count=1000000 usedBytes=");
        long used = Long.parseLong(printed.replaceAll("(?s).*usedBytes=(\\d+).*", "$1"));
        assertThat(used).as("heap used by the pending futures").isPositive().isLessThan(256L << 20);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void coldSeedPrintsTheSeedsAnswerAndItsPhases() throws IOException, InterruptedException {
        for (List<String> workers : List.of(List.<String>of(), List.of("1"))) {
            String name = "cold-seed" + String.join("", workers) + ".txt";
            String printed = runProgram(name, true, 100, List.of(), ColdSeed.class, workers.toArray(String[]::new));
            String phases = Files.readString(OUTPUT.resolve(name + ".err"), StandardCharsets.UTF_8);
            List<String> lines = printed.lines().toList();
            assertThat(lines).hasSize(200);
            assertThat(lines.get(0)).isEqualTo("1000000000000 is prime: False");
            assertThat(lines.get(199)).isEqualTo("1000000000199 is prime: False");
            // The primes from 10^12 to 10^12 + 199, as CPython's seed program prints them.
            assertThat(lines.stream().filter(l -> l.endsWith("is prime: True")).count()).isEqualTo(10L);
            assertThat(lines).contains("1000000000039 is prime: True");
            assertThat(phases).containsPattern(
                    "constructor=[0-9.]+ map=[0-9.]+ first=[0-9.]+ results=[0-9.]+ closed=[0-9.]+");
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX) // it reads /proc/self
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void roundTripCostRunsForBothPools() throws IOException, InterruptedException {
        for (String impl : List.of(Peers.FUTURES, Peers.JDK)) {
            String printed = runProgram("round-trip-cost-" + impl + ".txt", false, 50, List.of(), RoundTripCost.class,
                    impl, "2000", "1");
            assertThat(printed).containsPattern(impl + " round 1: wall [0-9]+ ns, cpu [0-9]+ ns \\(user [0-9]+, system "
                    + "[0-9]+\\), switches voluntary [0-9.]+ involuntary [0-9.]+ per round trip");
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void submitFloodSplitRunsBothWays() throws IOException, InterruptedException {
        for (String mode : List.of("gate", "flood")) {
            String printed = runProgram("flood-split-" + mode + ".txt", false, 50, List.of(), SubmitFloodSplit.class,
                    "2", mode);
            assertThat(printed).containsPattern(mode.equals("gate")
                    ? "submit p10 [0-9.]+ p50 [0-9.]+ best [0-9.]+ ms \\| drain p10 [0-9.]+ p50 [0-9.]+ best [0-9.]+ ms"
                    : "flood p10 [0-9.]+ p50 [0-9.]+ best [0-9.]+ ms");
        }
    }

    /**
     * Runs {@code main} in a child JVM on this class path, with {@code jvmOptions} and {@code args}, its
     * standard output in {@code name} under {@link #OUTPUT} and its standard error in {@code name}.err
     * ({@code separateErrors}) or with the output; asserts that it ended within {@code seconds} (else it
     * is killed; a worker JVM it started halts when it sees it gone) with status 0.
     *
     * @return what it printed on its standard output
     */
    private static String runProgram(String name, boolean separateErrors, long seconds, List<String> jvmOptions,
                                     Class<?> main, String... args) throws IOException, InterruptedException {
        Path out = Files.createDirectories(OUTPUT).resolve(name);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectOutput(out.toFile());
        if (separateErrors) {
            b.redirectError(out.resolveSibling(name + ".err").toFile());
        } else {
            b.redirectErrorStream(true);
        }
        Process p = b.start();
        boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("%s %s ended within %d s", main.getSimpleName(), List.of(args), seconds).isTrue();
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit status of %s %s; it printed: %s", main.getSimpleName(), List.of(args), printed)
                .isZero();
        return printed;
    }

    private static void assertRuns(Class<?> benchmark, String param, List<String> values) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(benchmark.getName() + "\\.")
                .param(param, values.toArray(String[]::new))
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .timeout(TimeValue.seconds(60)) // a hung iteration (a lost wake-up, say) fails instead of waiting
                .shouldFailOnError(true)
                .output(output(benchmark));
        Collection<RunResult> results = new Runner(options.build()).run();

        List<String> ran = new ArrayList<>();
        for (RunResult r : results) {
            assertThat(r.getPrimaryResult().getScore()).as("score of %s", r.getParams()).isPositive().isFinite();
            ran.add(r.getParams().getBenchmark().replaceAll(".*\\.", "") + ":" + r.getParams().getParam(param));
        }
        int methods = (int) java.util.Arrays.stream(benchmark.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(org.openjdk.jmh.annotations.Benchmark.class)).count();
        assertThat(ran).as("benchmark runs").hasSize(methods * values.size()).doesNotHaveDuplicates();
    }

    private static String output(Class<?> benchmark) {
        try {
            return Files.createDirectories(OUTPUT).resolve(benchmark.getSimpleName() + ".txt").toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
