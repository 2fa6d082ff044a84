package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --demo} in a JVM of its own, as a user runs it: both seed examples print what the Python originals
 * print, and the application exits by itself.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoTest {

    /** --demo prints the seed's output in the seed's order and exits with status 0. */
    @Test
    void demoPrintsWhatThePythonExamplesPrintAndExits() throws Exception {
        List<String> command = List.of(ChildJvm.java(), "-cp", System.getProperty("java.class.path"),
                SampleApplication.class.getName(), "--demo", "--sample.second=300ms");
        List<String> out;
        try (ChildJvm demo = new ChildJvm(command)) {
            assertThat(demo.awaitExit(100)).as("exit status; output:%n%s", String.join("\n", demo.lines())).isZero();
            out = demo.lines();
        }

        // The thread-pool example: the seed's pool, its initializer, one task, then three in completion order.
        assertThat(out).contains("== ThreadPoolExecutor: long_running_task (1 second = 300 ms) ==");
        assertThat(out).anyMatch(l -> l.equals("Task thread is starting [TaskThreadPool_0]"));
        assertThat(out).anyMatch(l -> l.equals("Starting task that will take 3 seconds [TaskThreadPool_0]"));
        int returned = out.indexOf("The task returned: 3");
        assertThat(returned).isGreaterThan(out.indexOf("Finished task that took 3 seconds [TaskThreadPool_0]"));
        List<String> taskReturned = out.stream().filter(l -> l.startsWith("Task returned: ")).toList();
        assertThat(taskReturned).containsExactly("Task returned: 2", "Task returned: 3", "Task returned: 4");
        for (int s = 2; s <= 4; s++) {
            String seconds = " " + s + " seconds [TaskThreadPool_";
            assertThat(out.subList(returned, out.size())).anyMatch(l -> l.startsWith("Starting task that will take") && l.contains(seconds));
        }
        assertThat(out.stream().filter(l -> l.startsWith("Task thread is starting [TaskThreadPool_")).count())
                .isBetween(1L, 4L);

        // The process-pool example: 200 lines in the order of the numbers, Python's True/False.
        int header = out.indexOf("== ProcessPoolExecutor: is_prime ==");
        assertThat(header).isGreaterThan(out.indexOf("Task returned: 4"));
        List<String> expected = new ArrayList<>();
        for (long n = 1_000_000_000_000L; n < 1_000_000_000_200L; n++) {
            expected.add(n + " is prime: " + (Primes.isPrime(n) ? "True" : "False"));
        }
        List<String> primeLines = out.stream().filter(l -> l.contains(" is prime: ")).toList();
        assertThat(primeLines).containsExactlyElementsOf(expected);
        assertThat(primeLines.get(0)).isEqualTo("1000000000000 is prime: False");
        assertThat(primeLines).contains("1000000000039 is prime: True");
    }
}
