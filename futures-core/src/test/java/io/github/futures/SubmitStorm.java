package io.github.futures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many threads submitting at once, released together by one latch: how many submits a pool accepted and
 * how many it rejected ({@link RejectedExecutionException}). The scenario the {@code maxPending} tests of
 * every pool kind share.
 *
 * @param accepted the submits that returned
 * @param rejected the submits refused with RejectedExecutionException
 */
public record SubmitStorm(int accepted, int rejected) {

    /**
     * Starts {@code threads} threads that each run {@code submit} {@code perThread} times once all are
     * started, and waits for each at most {@code join}.
     */
    public static SubmitStorm run(int threads, int perThread, Duration join, Runnable submit)
            throws InterruptedException {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    try {
                        submit.run();
                        accepted.incrementAndGet();
                    } catch (RejectedExecutionException e) {
                        rejected.incrementAndGet();
                    }
                }
            });
            th.start();
            submitters.add(th);
        }
        go.countDown();
        for (Thread th : submitters) {
            th.join(join.toMillis());
        }
        return new SubmitStorm(accepted.get(), rejected.get());
    }
}
