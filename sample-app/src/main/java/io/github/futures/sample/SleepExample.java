package io.github.futures.sample;

import io.github.futures.CancelledError;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ThreadPoolExecutor;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The seed's thread-pool example: {@code long_running_task} submitted to a {@link ThreadPoolExecutor},
 * first alone, then three at once with the results taken in completion order through
 * {@link Futures#asCompleted}.
 *
 * <p>Over HTTP it runs on the application's pool (the starter's {@code futuresThreadPool}); the command-line
 * demo builds the very pool of the Python original (4 workers, prefix {@code TaskThreadPool}, an initializer
 * that prints {@code Task thread is starting}).
 *
 * <p>Over HTTP the request thread is not held: the answer is a {@link DeferredResult} completed by the futures'
 * done-callbacks. The request has a timeout; when it passes, or the client goes away, its calls are cancelled
 * ({@code cancel(true)}: pending ones never start). The tasks' "Starting…"/"Finished…" lines, one pair per
 * call, are logged at debug level, not printed: under load they would drown the log.
 */
@Service
public class SleepExample {

    private static final Log logger = LogFactory.getLog(SleepExample.class);

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
    public static int longRunningTask(int seconds, Duration second, Consumer<String> out) throws InterruptedException {
        String thread = Thread.currentThread().getName();
        out.accept("Starting task that will take " + seconds + " seconds [" + thread + "]");
        Thread.sleep(second.toMillis() * seconds);
        out.accept("Finished task that took " + seconds + " seconds [" + thread + "]");
        return seconds;
    }

    private static void debug(String line) {
        if (logger.isDebugEnabled()) {
            logger.debug(line);
        }
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
            Future<Integer> future = executor.submit(() -> longRunningTask(3, second, out::println));
            out.println("The task returned: " + future.result());

            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 2; i < 5; i++) {
                int seconds = i;
                futures.add(executor.submit(() -> longRunningTask(seconds, second, out::println)));
            }
            for (Future<Integer> f : Futures.asCompleted(futures)) {
                out.println("Task returned: " + f.result());
            }
        }
    }

    /**
     * Runs {@code long_running_task} for each of {@code seconds} at once on the application's thread pool; the
     * answer reports the results in the order they completed. Past {@code timeout}, or when the client goes
     * away, the calls are cancelled and the answer is a 504.
     *
     * @param seconds the sleeps, each between 0 and 10
     * @param timeout how long the request may take
     * @return the answer, completed when the last call finishes
     * @throws IllegalArgumentException when {@code seconds} is empty, too long, or has a value out of range
     */
    public DeferredResult<Object> run(List<Integer> seconds, Duration timeout) {
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
        DeferredResult<Object> answer = new DeferredResult<>(timeout.toMillis());
        List<Future<TaskResult>> futures = new ArrayList<>();
        Runnable cancelAll = () -> futures.forEach(f -> f.cancel(true));
        answer.onTimeout(() -> {
            // The answer first: cancelling completes the futures, whose callbacks would answer "cancelled".
            answer.setErrorResult(ApiErrors.of(HttpStatus.GATEWAY_TIMEOUT, "the sleep example took longer than "
                    + timeout.toMillis() + " ms (sample.request-timeout): its calls were cancelled"));
            cancelAll.run();
        });
        answer.onError(e -> cancelAll.run());
        answer.onCompletion(cancelAll); // the client went away, or the server is stopping: nothing left runs
        List<TaskResult> completed = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(seconds.size());
        try {
            for (int s : seconds) {
                futures.add(pool.submit(() -> {
                    long began = System.nanoTime();
                    int result = longRunningTask(s, second, SleepExample::debug);
                    return new TaskResult(result, Thread.currentThread().getName(),
                            Duration.ofNanos(System.nanoTime() - began).toMillis());
                }));
            }
        } catch (RuntimeException e) {
            cancelAll.run();
            throw e;
        }
        for (Future<TaskResult> f : futures) {
            f.addDoneCallback(done -> {
                if (done.cancelled()) {
                    answer.setErrorResult(new CancelledError());
                } else if (done.exception() != null) {
                    cancelAll.run();
                    answer.setErrorResult(done.exception());
                } else {
                    completed.add(done.result()); // in completion order, as asCompleted yields them
                    if (left.decrementAndGet() == 0) {
                        answer.setResult(new SleepReport(List.copyOf(seconds), second.toMillis(), List.copyOf(completed),
                                Duration.ofNanos(System.nanoTime() - start).toMillis()));
                    }
                }
            });
        }
        return answer;
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
