package io.github.futures;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck checks of the process pool's submit-versus-shutdown protocol ({@link Admission}): submits
 * racing each other and a shutdown (which closes the admission and makes the final move, as
 * {@code ProcessPool.shutdown} does). Linearizable against the obvious sequential pool: a submit is
 * accepted before the shutdown and refused after it, and the shutdown finds every accepted call in the
 * queue. After each run, every accepted call is in the queue exactly once (it will run or be
 * cancelled) and no refused call is: no accepted call is left neither run nor cancelled.
 *
 * <p>Regression: the pool moved the incoming calls before it set its shutdown flag, so a call offered
 * in between was accepted and stayed in the incoming queue forever.
 */
@Tag("lincheck") // run in a JVM of their own: see the surefire set-up in pom.xml
@Timeout(300)
public class AdmissionLincheckTest {

    private final ReentrantLock lock = new ReentrantLock();
    /** The pool's queue: what the lock holders moved. Guarded by lock. */
    private final List<Integer> queue = new ArrayList<>();
    private final Set<Integer> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger unique = new AtomicInteger();
    private final Admission<Integer, Void> admission = new Admission<>(lock, new Admission.Combiner<>() {
        @Override
        public Void combineLocked() {
            admission().moveLocked(queue::add);
            return null;
        }

        @Override
        public void afterUnlock(Void work) {
        }
    });

    private Admission<Integer, Void> admission() {
        return admission;
    }

    /** A submit: accepted (true) or refused after shutdown (false). */
    @Operation
    public boolean submit() {
        int call = unique.incrementAndGet();
        boolean ok = admission.offer(call);
        if (ok) {
            accepted.add(call);
        }
        return ok;
    }

    /** The pool's shutdown: close, final move; returns how many calls the queue holds then. */
    @Operation
    public int shutdown() {
        lock.lock();
        try {
            admission.closeLocked(queue::add);
            return queue.size();
        } finally {
            admission.unlock();
        }
    }

    /** After each run: the queue holds exactly the accepted calls, once each. */
    @Validate
    public void everyAcceptedCallIsQueuedOnceAndNoRefusedOne() {
        lock.lock();
        try {
            Set<Integer> queued = new HashSet<>(queue);
            if (queued.size() != queue.size()) {
                throw new IllegalStateException("a call was queued twice: " + queue);
            }
            if (!queued.equals(accepted)) {
                throw new IllegalStateException("queued " + queued + " but accepted " + accepted);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Interleavings chosen by the model checker: three threads of submits and shutdowns (8 scenarios
     * of 200 interleavings). With the old order (move, then set the flag) it fails within seconds:
     * "queued [] but accepted [1]".
     */
    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(8)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(AdmissionLincheckTest.class);
    }

    /** Real threads, real races. */
    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(1000)
                .threads(3)
                .actorsPerThread(3)
                .check(AdmissionLincheckTest.class);
    }
}
