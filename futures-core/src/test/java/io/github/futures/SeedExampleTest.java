package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's seed example, run in a child JVM with 250 ms for every "second" so that it is quick:
 * it prints what the Python original prints, worker threads named TaskThreadPool_n and results in
 * completion order.
 */
@Timeout(60)
class SeedExampleTest {

    /**
     * Milliseconds per "second" of the example: the completion order 2, 3, 4 holds as long as the
     * tasks start less than one unit apart.
     */
    static final long UNIT_MILLIS = 250;

    /** The example, as in the README, with the thread name added to the task's first line. */
    static final class SeedExample {
        static int longRunningTask(int seconds) throws InterruptedException {
            System.out.println("Starting task that will take " + seconds + " seconds in " + Thread.currentThread().getName());
            Thread.sleep(seconds * UNIT_MILLIS);
            System.out.println("Finished task that took " + seconds + " seconds");
            return seconds;
        }

        public static void main(String[] args) {
            try (var executor = new ThreadPoolExecutor(4, "TaskThreadPool",
                    () -> System.out.println("Task thread is starting"))) {
                Future<Integer> future = executor.submit(() -> longRunningTask(3));
                System.out.println("The task returned: " + future.result());

                List<Future<Integer>> futures = new ArrayList<>();
                for (int i = 2; i < 5; i++) {
                    int seconds = i;
                    futures.add(executor.submit(() -> longRunningTask(seconds)));
                }
                for (Future<Integer> f : Futures.asCompleted(futures)) {
                    System.out.println("Task returned: " + f.result());
                }
            }
            System.out.println("done");
        }
    }

    /** The example's output: one initializer line per worker, names TaskThreadPool_0.., results 2, 3, 4. */
    @Test
    void seedExamplePrintsWhatThePythonOriginalPrints() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(SeedExample.class, Duration.ofSeconds(40));
        List<String> lines = o.lines();
        assertThat(o.exited()).as("exited; output %s", lines).isTrue();
        assertThat(o.exitCode()).as(String.join("\n", lines)).isZero();

        // First part: one worker, started lazily, initialized before its call.
        assertThat(lines.subList(0, 4)).containsExactly(
                "Task thread is starting",
                "Starting task that will take 3 seconds in TaskThreadPool_0",
                "Finished task that took 3 seconds",
                "The task returned: 3");
        // Second part: the idle TaskThreadPool_0 is reused and at most two more workers start, named
        // on from _1; the initializer runs once in each new one. (Which of them runs which task depends
        // on scheduling: a worker that finished its task may take a later one.)
        List<String> rest = lines.subList(4, lines.size());
        List<String> threads = rest.stream().filter(l -> l.startsWith("Starting task"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
        assertThat(threads).hasSize(3).contains("TaskThreadPool_0");
        List<String> distinct = threads.stream().distinct().sorted().toList();
        assertThat(List.of("TaskThreadPool_0", "TaskThreadPool_1", "TaskThreadPool_2")).startsWith(distinct.toArray(String[]::new));
        assertThat(rest.stream().filter("Task thread is starting"::equals)).hasSize(distinct.size() - 1);
        // Results in completion order: the shortest first.
        assertThat(rest.stream().filter(l -> l.startsWith("Task returned: ")))
                .containsExactly("Task returned: 2", "Task returned: 3", "Task returned: 4");
        assertThat(rest).containsSubsequence("Finished task that took 2 seconds", "Task returned: 2",
                "Finished task that took 3 seconds", "Task returned: 3",
                "Finished task that took 4 seconds", "Task returned: 4", "done");
    }
}
