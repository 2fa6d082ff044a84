package io.github.futures.spi;

import java.time.Duration;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A JDK {@link ThreadPoolExecutor} for work handed off by a thread that must not wait for it (a process
 * pool's reader with done callbacks, a cluster executor's completions): it grows before it queues. Its
 * queue takes a task only when an idle thread is waiting for one ({@link LinkedTransferQueue#tryTransfer}),
 * so otherwise a new thread starts, up to the maximum; with that many busy, the executor's refusal puts
 * the task in the same queue, where the next thread to finish takes it (the idiom of Tomcat's task
 * queue). The JDK's cached pool would start threads without bound; its fixed pool would queue behind
 * busy threads while idle capacity is allowed. Idle threads end after the keep-alive. After
 * {@link ThreadPoolExecutor#shutdown()} a late task runs in the thread that hands it off.
 *
 * <pre>{@code
 * ThreadPoolExecutor callbacks = HandOffThreads.create(64, Duration.ofSeconds(10), daemonFactory);
 * callbacks.execute(() -> runCallbacks(future)); // never blocks, never refused
 * }</pre>
 *
 * Internal to the project's executors.
 */
public final class HandOffThreads {

    private HandOffThreads() {
    }

    /**
     * A new executor; no thread starts before the first task.
     *
     * @param maxThreads the most threads at once
     * @param keepAlive how long an idle thread lives
     * @param factory makes the threads (daemon ones, as a rule)
     * @return the executor
     */
    public static ThreadPoolExecutor create(int maxThreads, Duration keepAlive, ThreadFactory factory) {
        return new ThreadPoolExecutor(0, maxThreads, keepAlive.toNanos(), TimeUnit.NANOSECONDS, new HandOffQueue(),
                factory, new Overflow());
    }

    /** Takes a task only when an idle thread waits for it, so that the executor starts a thread instead. */
    private static final class HandOffQueue extends LinkedTransferQueue<Runnable> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean offer(Runnable r) {
            return tryTransfer(r);
        }

        void enqueue(Runnable r) {
            super.offer(r);
        }
    }

    /** All threads busy: queued for the next one to finish. Shut down: run here. */
    private static final class Overflow implements RejectedExecutionHandler {
        @Override
        public void rejectedExecution(Runnable r, ThreadPoolExecutor executor) {
            if (executor.isShutdown()) {
                r.run();
            } else {
                ((HandOffQueue) executor.getQueue()).enqueue(r);
            }
        }
    }
}
