package io.github.futures.sample;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/**
 * A plain Spring {@code @Async} service: with the starter on the classpath, its calls run on the futures
 * thread pool instead of Spring's default executor.
 */
@Service
public class AsyncExample {

    /**
     * Runs on the pool that backs {@code @Async} and tells which thread that was.
     *
     * @param name who to greet
     * @return a future completed on the pool's thread
     */
    @Async
    public CompletableFuture<AsyncReport> greet(String name) {
        return CompletableFuture.completedFuture(
                new AsyncReport("Hello, " + name + "!", Thread.currentThread().getName(), Instant.now()));
    }

    /**
     * The answer of {@code GET /api/async}.
     *
     * @param message the greeting
     * @param thread the thread the {@code @Async} method ran on
     * @param at when it ran
     */
    public record AsyncReport(String message, String thread, Instant at) {
    }
}
