package io.github.futures.hazelcast;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads on which a cluster executor settles its calls (Hazelcast's completion of an attempt, a
 * member's loss) and so runs their futures' done callbacks. Not Hazelcast's own threads (a callback that
 * blocks there stalls the cluster's responses or events), and not the JDK's common pool, where
 * Hazelcast's asynchronous completions go by default: with a common pool of N threads, N callbacks that
 * each waited for a follow-up call of the same executor left no thread to complete the follow-ups, and
 * every call of the executor waited behind whatever else the application ran there.
 *
 * <p>Implementation note: a JDK {@link ThreadPoolExecutor} that grows before it queues: its queue takes
 * a task only when an idle thread is waiting for one ({@link LinkedTransferQueue#tryTransfer}), so
 * otherwise a new daemon thread starts, up to {@link #MAX_THREADS}; beyond that, the refusal queues the
 * task for the next thread to finish (the idiom of Tomcat's task queue). Idle threads end after
 * {@link #KEEP_ALIVE_SECONDS}. After {@link ThreadPoolExecutor#shutdown()} (the executor terminated) a
 * late task runs in the calling thread.
 */
final class CompletionThreads {

    /** At most this many threads per cluster executor. */
    static final int MAX_THREADS = 64;
    /** An idle thread ends after this long. */
    static final long KEEP_ALIVE_SECONDS = 10L;

    private CompletionThreads() {
    }

    /**
     * @param prefix the threads' names, before their number
     * @return a new pool of completion threads (none started yet)
     */
    static ThreadPoolExecutor create(String prefix) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ThreadPoolExecutor(0, MAX_THREADS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new HandOffQueue(), factory,
                new Overflow());
    }

    /** Takes a task only when an idle thread waits for it, so that the pool starts a thread instead. */
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
