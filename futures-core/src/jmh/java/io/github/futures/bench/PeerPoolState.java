package io.github.futures.bench;

import io.github.futures.ThreadPoolExecutor;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The pool under test of a thread-pool benchmark: ours, the JDK's fixed pool or Spring's
 * {@code ThreadPoolTaskExecutor}, chosen by {@code impl}, each with {@code workers} threads. A
 * benchmark's own {@code @Setup} calls {@link #startPool()}; the tear-down is shared.
 */
@State(Scope.Benchmark)
public abstract class PeerPoolState {

    /** Which pool: futures, jdk or spring. */
    @Param({Peers.FUTURES, Peers.JDK, Peers.SPRING})
    public String impl;

    /** Worker threads of every pool. */
    @Param("4")
    public int workers;

    /** Our pool, when {@code impl} is futures. */
    protected ThreadPoolExecutor pool;
    /** The peer, otherwise. */
    protected JucPool peer;

    /** Starts the pool that {@code impl} names. */
    protected void startPool() {
        if (Peers.FUTURES.equals(impl)) {
            pool = new ThreadPoolExecutor(workers, "futures-bench");
        } else {
            peer = Peers.juc(impl, workers);
        }
    }

    /** Stops it. */
    @TearDown
    public void tearDown() {
        if (pool != null) {
            pool.shutdown(true, true);
        } else {
            peer.shutdownNow();
        }
    }
}
