package io.github.futures.sample;

import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ThreadPoolExecutor;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The seed's thread-pool example: {@code long_running_task} submitted to a {@link ThreadPoolExecutor},
 * first alone, then three at once with the results taken in completion order through
 * {@link Futures#asCompleted}.
 *
 * <p>Over HTTP it runs on the application's pool (the starter's {@code futuresThreadPool}); the command-line
 * demo builds the very pool of the Python original (4 workers, prefix {@code TaskThreadPool}, an initializer
 * that prints {@code Task thread is starting}).
 */
@Service
public class SleepExample {

    private final ThreadPoolExecutor pool;
    private final SampleProperties properties;

    public SleepExample(ThreadPoolExecutor pool, SampleProperties properties) {
        this.pool = pool;
        this.properties = properties;
    }

    /**
     * The seed's {@code long_running_task}: prints, sleeps {@code seconds} (scaled by {@code second}), prints,
     * and returns {@code seconds}.
     *
     * @param seconds how many "seconds" to sleep
     * @param second the real length of one second
     * @param out where the example prints
     * @return {@code seconds}
     * @throws InterruptedException when interrupted while sleeping
     */
    public static int longRunningTask(int seconds, Duration second, PrintStream out) throws InterruptedException {
        String thread = Thread.currentThread().getName();
        out.println("Starting task that will take " + seconds + " seconds [" + thread + "]");
        Thread.sleep(second.toMillis() * seconds);
        out.println("Finished task that took " + seconds + " seconds [" + thread + "]");
        return seconds;
    }

    /**
     * The whole seed example, printing what the Python original prints (plus the worker's thread name).
     *
     * @param out where to print
     * @throws InterruptedException when interrupted while waiting
     */
    public void runDemo(PrintStream out) throws InterruptedException {
        Duration second = properties.getSecond();
        try (ThreadPoolExecutor executor = new ThreadPoolExecutor(4, "TaskThreadPool",
                () -> out.println("Task thread is starting [" + Thread.currentThread().getName() + "]"))) {
            Future<Integer> future = executor.submit(() -> longRunningTask(3, second, out));
            out.println("The task returned: " + future.result());

            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 2; i < 5; i++) {
                int seconds = i;
                futures.add(executor.submit(() -> longRunningTask(seconds, second, out)));
            }
            for (Future<Integer> f : Futures.asCompleted(futures)) {
                out.println("Task returned: " + f.result());
            }
        }
    }

    /**
     * Runs {@code long_running_task} for each of {@code seconds} at once on the application's thread pool and
     * reports the results in the order they completed.
     *
     * @param seconds the sleeps, each between 0 and 10
     * @return what happened, in completion order
     * @throws IllegalArgumentException when {@code seconds} is empty, too long, or has a value out of range
     */
    public SleepReport run(List<Integer> seconds) {
        if (seconds.isEmpty() || seconds.size() > 16) {
            throw new IllegalArgumentException("seconds must list 1 to 16 values, got " + seconds.size());
        }
        for (int s : seconds) {
            if (s < 0 || s > 10) {
                throw new IllegalArgumentException("each of seconds must be between 0 and 10, got " + s);
            }
        }
        Duration second = properties.getSecond();
        long start = System.nanoTime();
        List<Future<TaskResult>> futures = new ArrayList<>();
        for (int s : seconds) {
            futures.add(pool.submit(() -> {
                long began = System.nanoTime();
                int result = longRunningTask(s, second, System.out);
                return new TaskResult(result, Thread.currentThread().getName(),
                        Duration.ofNanos(System.nanoTime() - began).toMillis());
            }));
        }
        List<TaskResult> completed = new ArrayList<>();
        for (Future<TaskResult> f : Futures.asCompleted(futures)) {
            completed.add(f.result());
        }
        return new SleepReport(List.copyOf(seconds), second.toMillis(), completed,
                Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    /**
     * One finished {@code long_running_task}.
     *
     * @param result what the task returned (its seconds)
     * @param thread the pool thread that ran it
     * @param millis how long it took
     */
    public record TaskResult(int result, String thread, long millis) {
    }

    /**
     * The answer of {@code POST /api/sleep}.
     *
     * @param submitted the seconds, in submission order
     * @param secondMillis the real length of one "second"
     * @param completed the results in completion order (as {@code as_completed} yields them)
     * @param elapsedMillis the wall time of the whole call
     */
    public record SleepReport(List<Integer> submitted, long secondMillis, List<TaskResult> completed,
                              long elapsedMillis) {
    }
}
