package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TimeoutError;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call that a worker gives back (REVOKED) after the pool took it for that worker's first call must
 * not keep the call timer armed for it there: its next worker arms a fresh one, so a call that blocks
 * there still fails after {@code callTimeout}. Before, the stale timer kept the next worker from
 * arming one and then found the call gone from the old worker when it fired: the call ran for ever.
 *
 * <p>The worker's narrow window (its running call's result written, the call queued behind it not
 * yet taken, a REVOKE read meanwhile) is held open on purpose: the queued call's deserialization
 * waits at a gate, so the worker reads the REVOKE only when the test lets it, and the running call
 * writes its result frame itself, then goes on running, so the worker still counts it as running and
 * gives the queued call back. The pool sees the frames in the order of the real race.
 */
@Timeout(120)
class RevokedCallTimeoutTest {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Holds the reading of the call that carries it at a gate, in whichever worker reads it. */
    static final class Stall implements Serializable {
        private static final long serialVersionUID = 1L;
        private final SerializableCallable<Long> gate;

        Stall(SerializableCallable<Long> gate) {
            this.gate = gate;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            try {
                gate.call();
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** A call whose reading stalls at a gate, and which then blocks until its worker is ended. */
    record StallsWhenReadThenBlocks(Stall stall) implements SerializableCallable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            new CountDownLatch(1).await();
            return -1;
        }
    }

    /**
     * Waits at {@code first}, writes {@code resultFrame} (its own result, as its worker would) to the
     * protocol stream, then waits at {@code second} before it returns: meanwhile its worker still runs it.
     */
    private static SerializableCallable<Integer> reportsItsResultEarly(SerializableCallable<Long> first, byte[] resultFrame,
                                                                       SerializableCallable<Long> second) {
        return () -> {
            first.call();
            FileOutputStream protocol = new FileOutputStream(FileDescriptor.out);
            protocol.write(resultFrame);
            protocol.flush();
            second.call();
            return 0;
        };
    }

    private static byte[] resultFrame(long id, int value) {
        try {
            Wire.Frame f = new Wire.Frame(64);
            Wire.encodeValue(f, value);
            f.finish(Wire.RESULT, id);
            return Arrays.copyOf(f.array(), f.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call given back after it became its worker's first call times out on its next worker, after callTimeout there. */
    @Test
    void callGivenBackAfterBecomingItsWorkersFirstCallTimesOutOnItsNextWorker() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2).callTimeout(CALL_TIMEOUT).build();
             Gate warmUp = new Gate();
             Gate idler = new Gate();
             Gate earlyResult = new Gate();
             Gate done = new Gate();
             Gate stall = new Gate()) {
            // Both workers up and idle (ids 1 and 2: a pool counts its calls from 1, one per submit).
            Future<Long> w1 = pool.submit(warmUp.call());
            Future<Long> w2 = pool.submit(warmUp.call());
            assertThat(warmUp.awaitArrival(LIMIT)).isTrue();
            assertThat(warmUp.awaitArrival(LIMIT)).isTrue();
            warmUp.releaseAll();
            assertThat(w1.result(LIMIT)).isNotEqualTo(w2.result(LIMIT));

            // The first idle worker (A) runs the idler, the other (B) the early reporter (id 4); the quick
            // call goes behind the idler on A, and the stalling call behind the early reporter on B.
            Future<Long> idle = pool.submit(idler.call());
            long reporterId = 4L;
            Future<Integer> reporter = pool.submit(reportsItsResultEarly(earlyResult.call(), resultFrame(reporterId, 42),
                    done.call()));
            Future<Integer> quick = pool.submit((SerializableCallable<Integer>) () -> 7);
            Future<Integer> given = pool.submit(new StallsWhenReadThenBlocks(new Stall(stall.call())));
            try {
                assertThat(idler.awaitArrival(LIMIT)).isTrue();
                assertThat(earlyResult.awaitArrival(LIMIT)).isTrue();
                assertThat(stall.awaitArrival(LIMIT)).as("B reads the stalling call, and nothing after it").isTrue();

                // A runs out of work: the pool asks B to give back the call sent ahead to it (the REVOKE
                // waits in B's input behind the stalling call) before the quick call's future completes.
                idler.releaseAll();
                long workerA = idle.result(LIMIT);
                assertThat(quick.result(LIMIT)).isEqualTo(7);

                // The early reporter's result: the stalling call becomes B's first call, its timer is armed.
                earlyResult.releaseAll();
                assertThat(reporter.result(LIMIT)).isEqualTo(42);

                // B reads on: it queues the call (the reporter still runs) and gives it back; the pool sends it
                // to A, idle, whose reading of it arrives at the gate again.
                stall.releaseAll();
                assertThat(stall.awaitArrival(LIMIT)).as("the call given back is sent to the other worker").isTrue();
                stall.releaseAll();

                Throwable failure;
                try {
                    failure = given.exception(LIMIT);
                } catch (TimeoutError stillRunning) {
                    throw new AssertionError("the call given back ran on its next worker for " + LIMIT.toSeconds()
                            + " s without being stopped by its call timeout of " + CALL_TIMEOUT.toSeconds() + " s",
                            stillRunning);
                }
                assertThat(failure).isInstanceOf(TimeoutError.class)
                        .hasMessageStartingWith("call exceeded its call timeout of 5s")
                        .hasMessageContaining("in worker pid " + workerA);
            } finally {
                given.cancel(true); // ends its worker if it still runs it
                done.releaseAll();
            }
        }
    }
}
