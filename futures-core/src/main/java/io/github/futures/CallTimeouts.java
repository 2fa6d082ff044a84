package io.github.futures;

import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The call timeout of one {@link ThreadPool}: a timer armed when a call starts and disarmed when it
 * returns. Pools without a call timeout have no instance of this class and pay nothing.
 *
 * <pre>
 *   call starts ──schedule(timeout)──► timer thread ──(call still running)──► future fails with TimeoutError,
 *   call returns ──cancel──┘                                                   its thread is interrupted
 *                                          ... grace later, the call still had not returned ──► pool.abandon
 * </pre>
 *
 * <p>Implementation note: one daemon scheduler thread for every pool of the JVM, made on first use
 * and ended when idle (core thread time-out), with remove-on-cancel so that a disarmed timer leaves
 * nothing behind. A timer's action runs on that thread: it completes the future (its waiters and done
 * callbacks are told there) and interrupts through {@link ThreadTask#interruptRunner()}, which hits
 * the call only while its thread still runs it. A call that ignores the interrupt for {@code grace}
 * (the timeout itself, at most one second) is abandoned ({@link ThreadPool#abandon}).
 */
final class CallTimeouts {

    /** Longest wait between the interrupt of a timed-out call and giving its thread up. */
    private static final long MAX_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ThreadPool pool;
    final Duration timeout;
    private final long nanos;
    private final long graceNanos;
    /** The timeout as people write it ({@code 5s}, {@code 250ms}). */
    final String text;

    CallTimeouts(ThreadPool pool, Duration timeout) {
        this.pool = pool;
        this.timeout = timeout;
        this.nanos = Timeouts.toNanosOrForever(timeout);
        this.graceNanos = Math.min(nanos, MAX_GRACE_NANOS);
        this.text = format(timeout);
    }

    /** Arms the timer of a call that starts now in {@code worker}. */
    Timer start(ThreadTask<?> task, ThreadPool.Worker worker, Callable<?> call) {
        Timer t = new Timer(task, worker, call);
        t.scheduled = Scheduler.INSTANCE.schedule(t, nanos, TimeUnit.NANOSECONDS);
        return t;
    }

    /** One running call's timer. */
    final class Timer implements Runnable {
        private final ThreadTask<?> task;
        private final ThreadPool.Worker worker;
        private final Callable<?> call;
        /** Written by the worker right after scheduling; a cancel that misses it lets the timer find the task done. */
        volatile ScheduledFuture<?> scheduled;

        Timer(ThreadTask<?> task, ThreadPool.Worker worker, Callable<?> call) {
            this.task = task;
            this.worker = worker;
            this.call = call;
        }

        /** Disarms the timer: the call returned. */
        void cancel() {
            ScheduledFuture<?> f = scheduled;
            if (f != null) {
                f.cancel(false);
            }
        }

        /** The call ran past its timeout: fail its future, interrupt it, and check on it after the grace. */
        @Override
        public void run() {
            if (!task.timeOut(new TimeoutError("call exceeded its call timeout of " + text))) {
                return; // it returned or was cancelled just now
            }
            pool.stats.publish(PoolEvent.now(PoolEvent.Type.CALL_TIMED_OUT, -1L, "timeout",
                    "a call of " + pool.threadNamePrefix + " on " + worker.thread.getName()
                            + " exceeded its call timeout of " + text));
            if (task.interruptRunner()) {
                Scheduler.INSTANCE.schedule(this::abandonIfStuck, graceNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void abandonIfStuck() {
            if (task.abandon()) {
                pool.abandon(worker, call, text);
            }
        }
    }

    /** A duration as people write it: {@code 5s}, {@code 250ms}, {@code 2m}, {@code 1500us}. */
    static String format(Duration d) {
        long n = d.toNanos();
        if (n % 60_000_000_000L == 0L && n >= 120_000_000_000L) {
            return (n / 60_000_000_000L) + "m";
        }
        if (n % 1_000_000_000L == 0L) {
            return (n / 1_000_000_000L) + "s";
        }
        if (n % 1_000_000L == 0L) {
            return (n / 1_000_000L) + "ms";
        }
        if (n % 1_000L == 0L) {
            return (n / 1_000L) + "us";
        }
        return n + "ns";
    }

    /** The timer thread shared by every pool, made on first use (holder idiom). */
    private static final class Scheduler {
        static final ScheduledThreadPoolExecutor INSTANCE = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "futures-call-timeout");
                t.setDaemon(true);
                return t;
            });
            s.setRemoveOnCancelPolicy(true); // a disarmed timer is gone at once, with what it holds
            s.setKeepAliveTime(30L, TimeUnit.SECONDS);
            s.allowCoreThreadTimeOut(true); // no thread while no pool has a running call with a timeout
            return s;
        }
    }
}
