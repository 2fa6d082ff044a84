package io.github.futures.process;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Signal;
import java.util.stream.Collectors;

/**
 * A parent JVM for {@link OrphanedWorkersTest}: starts a pool of two workers busy with calls that never
 * end, prints {@code WORKERS <pid> <pid>} and waits to be killed.
 */
public final class OrphanParentMain {

    private OrphanParentMain() {
    }

    /**
     * Runs until killed.
     *
     * @param args unused
     * @throws InterruptedException never in practice
     */
    public static void main(String[] args) throws InterruptedException {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        Signal running = Signal.create();
        for (int i = 0; i < 2; i++) {
            pool.submit((SerializableCallable<Integer>) () -> {
                running.fire();
                return Probes.blockForever().call();
            });
        }
        running.awaitCount(2);
        String pids = pool.snapshot().workerDetails().stream().map(w -> Long.toString(w.pid()))
                .collect(Collectors.joining(" "));
        System.out.println("WORKERS " + pids);
        System.out.flush();
        Thread.currentThread().join();
    }
}
