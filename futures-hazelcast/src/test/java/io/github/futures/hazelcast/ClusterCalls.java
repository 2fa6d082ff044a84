package io.github.futures.hazelcast;

import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Calls that only the cluster tests need: they return the process id of the member that ran them,
 * which tells the tests where a call went. Gates and signals are the contract suite's.
 */
final class ClusterCalls {

    private ClusterCalls() {
    }

    /**
     * One waiter per gate and JVM at a time: outside the creating JVM a gate is a file lock, and a
     * JVM's second lock attempt on the same file throws {@code OverlappingFileLockException}, while a
     * cluster member runs many calls at once. The others queue here and pass once the first did.
     */
    private static final ConcurrentHashMap<String, ReentrantLock> GATE_LOCKS = new ConcurrentHashMap<>();

    /** Waits at {@code gate}, one thread of this JVM at a time (see {@link #GATE_LOCKS}). */
    static void await(Gate gate) {
        ReentrantLock lock = GATE_LOCKS.computeIfAbsent(gate.toString(), k -> new ReentrantLock());
        lock.lock();
        try {
            gate.await();
        } finally {
            lock.unlock();
        }
    }

    /** Fires {@code started}, waits at {@code gate}, then returns this member's pid. */
    record PidAfter(Signal started, Gate gate) implements SerializableCallable<Long> {
        @Override
        public Long call() {
            started.fire();
            await(gate);
            return ProcessHandle.current().pid();
        }
    }

    /** Returns this member's pid at once. */
    record Pid() implements SerializableCallable<Long> {
        @Override
        public Long call() {
            return ProcessHandle.current().pid();
        }
    }
}
