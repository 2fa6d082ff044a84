package io.github.futures.hazelcast;

import io.github.futures.SerializableCallable;
import java.io.Serializable;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Named gates that live in each member JVM: calls block on a gate until the test opens it on every
 * member, and the test can wait until a member has started a given number of calls. No sleeps: the
 * test reaches members through Hazelcast's executor directly ({@link TestMember#CONTROL_EXECUTOR}).
 */
final class Gate {

    private static final ConcurrentHashMap<String, CountDownLatch> OPEN = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Semaphore> STARTED = new ConcurrentHashMap<>();

    private Gate() {
    }

    private static CountDownLatch open(String gate) {
        return OPEN.computeIfAbsent(gate, g -> new CountDownLatch(1));
    }

    private static Semaphore started(String gate) {
        return STARTED.computeIfAbsent(gate, g -> new Semaphore(0));
    }

    /** Waits at the gate in the JVM it runs in, 60 s at most. */
    static void await(String gate) {
        try {
            if (!open(gate).await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate " + gate + " was never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at gate " + gate, e);
        }
    }

    /** Waits at the gate (60 s at most), then returns this member's pid. */
    record Pid(String gate) implements SerializableCallable<Long> {
        @Override
        public Long call() throws InterruptedException {
            started(gate).release();
            await(gate);
            return ProcessHandle.current().pid();
        }
    }

    /** Opens the gate in the JVM it runs in. */
    record Open(String gate) implements Runnable, Serializable {
        @Override
        public void run() {
            open(gate).countDown();
        }
    }

    /** Waits until {@code n} calls have started at the gate in the JVM it runs in. */
    record AwaitStarted(String gate, int n) implements Callable<Boolean>, Serializable {
        @Override
        public Boolean call() throws InterruptedException {
            return started(gate).tryAcquire(n, 30, TimeUnit.SECONDS);
        }
    }

    /** Returns this member's pid at once. */
    record MyPid() implements SerializableCallable<Long> {
        @Override
        public Long call() {
            return ProcessHandle.current().pid();
        }
    }
}
