package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A program that never calls shutdown still runs what it submitted and then exits; an idle pool
 * never keeps the JVM alive (CPython's test_interpreter_shutdown / the atexit join of thread.py,
 * and _python_exit of process.py for process pools). Each test runs a real child JVM.
 */
@Timeout(60)
class ExitWithoutShutdownTest {

    private static final Duration EXIT_BOUND = Duration.ofSeconds(30);

    /** main submits calls that can only finish after main has returned, and never shuts the pool down. */
    static final class WorkOutlivesMain {
        public static void main(String[] args) {
            Thread main = Thread.currentThread();
            var pool = new ThreadPoolExecutor(1, "exit-test");
            pool.submit(() -> {
                main.join(); // proves main has returned before this call finishes
                System.out.println("first call done after main returned");
                return null;
            });
            pool.submit(() -> System.out.println("queued call done"));
            System.out.println("main returns");
        }
    }

    /** main uses a pool, leaves it idle with a live worker thread, and returns. */
    static final class IdlePool {
        public static void main(String[] args) {
            var pool = new ThreadPoolExecutor(2, "idle-test");
            System.out.println("result " + pool.submit(() -> 6 * 7).result());
            System.out.println("main returns");
        }
    }

    /** A call exits the JVM while main waits for it, and a second call is queued behind. */
    static final class CallExits {
        public static void main(String[] args) {
            var pool = new ThreadPoolExecutor(1, "exit-call-test");
            Future<Object> exiting = pool.submit(() -> {
                System.out.println("calling exit");
                System.exit(3);
                return null;
            });
            pool.submit(() -> System.out.println("queued call ran"));
            exiting.result();
            System.out.println("not reached");
        }
    }

    /**
     * A call ignores interrupts and never ends; its owner shuts the pool down without waiting and
     * gives up with interruptWorkers() (what the Spring starter does past its shutdown timeout).
     */
    static final class OwnerGaveUp {
        public static void main(String[] args) throws Exception {
            var pool = new ThreadPoolExecutor(1, "gave-up-test");
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);
            pool.submit(() -> {
                started.countDown();
                java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
                for (;;) {
                    try {
                        never.await();
                    } catch (InterruptedException ignored) {
                        System.out.println("interrupted, carrying on");
                        interrupted.countDown();
                    }
                }
            });
            started.await();
            pool.shutdown(false, true);
            pool.interruptWorkers();
            interrupted.await();
            System.out.println("main returns");
        }
    }

    /**
     * main submits two calls to a process pool of one worker and returns at once; the first call's
     * done callback (run in this JVM) waits for main to have returned before it prints.
     */
    static final class ProcessWorkOutlivesMain {
        public static void main(String[] args) {
            Thread main = Thread.currentThread();
            var pool = new ProcessPoolExecutor(1);
            pool.submit((SerializableCallable<Integer>) () -> 6 * 7).addDoneCallback(f -> {
                try {
                    main.join(); // proves main has returned before this call's outcome is handled
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("first call done after main returned: " + f.result());
            });
            pool.submit((SerializableCallable<Integer>) () -> 2 * 3)
                    .addDoneCallback(f -> System.out.println("queued call done: " + f.result()));
            System.out.println("main returns");
        }
    }

    /** main uses a process pool, leaves its worker idle, and returns. */
    static final class IdleProcessPool {
        public static void main(String[] args) {
            var pool = new ProcessPoolExecutor(1);
            System.out.println("result " + pool.submit((SerializableCallable<Integer>) () -> 6 * 7).result());
            System.out.println("main returns");
        }
    }

    /**
     * A process pool's done callback calls System.exit while another call is still queued and main
     * waits for it: the exit hook must not wait for a pool whose thread is the one exiting.
     */
    static final class ProcessCallbackExits {
        public static void main(String[] args) {
            var pool = new ProcessPoolExecutor(1);
            pool.submit((SerializableCallable<Integer>) () -> 1).addDoneCallback(f -> {
                System.out.println("calling exit");
                System.exit(3);
            });
            Future<Integer> queued = pool.submit((SerializableCallable<Integer>) () -> {
                Thread.sleep(60_000);
                return 2;
            });
            queued.result();
            System.out.println("not reached");
        }
    }

    /**
     * A process pool with work keeps the JVM alive until that work is done, done callbacks included;
     * then the JVM exits. (The two callbacks run on the pool's callback threads, in either order.)
     */
    @Test
    void processPoolWorkSubmittedBeforeMainReturnedStillRuns() throws Exception {
        List<String> lines = runToExit(ProcessWorkOutlivesMain.class, 0);
        assertThat(lines).containsSubsequence("main returns", "first call done after main returned: 42");
        assertThat(lines).containsSubsequence("main returns", "queued call done: 6");
    }

    /** An idle process pool does not keep the JVM alive. */
    @Test
    void idleProcessPoolDoesNotKeepTheJvmAlive() throws Exception {
        List<String> lines = runToExit(IdleProcessPool.class, 0);
        assertThat(lines).containsExactly("result 42", "main returns");
    }

    /** A done callback of a process pool that calls System.exit ends the JVM with its status. */
    @Test
    void processPoolCallbackThatCallsSystemExitEndsTheJvm() throws Exception {
        List<String> lines = runToExit(ProcessCallbackExits.class, 3);
        assertThat(lines).contains("calling exit").doesNotContain("not reached");
    }

    /** Runs the main class in a child JVM, checks that it exited within the bound with this status, returns its output. */
    private static List<String> runToExit(Class<?> mainClass, int status) throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(mainClass, EXIT_BOUND);
        assertThat(o.exited()).as("child exited within %s; output %s", EXIT_BOUND, o.lines()).isTrue();
        assertThat(o.exitCode()).as(String.join("\n", o.lines())).isEqualTo(status);
        return o.lines();
    }

    /** Once the owner gave up on a call that ignores interrupts, the exit hook does not hold the JVM for it. */
    @Test
    void exitHookDoesNotWaitForAPoolItsOwnerGaveUpOn() throws Exception {
        List<String> lines = runToExit(OwnerGaveUp.class, 0);
        assertThat(lines).contains("main returns", "interrupted, carrying on");
    }

    /** A call that calls System.exit ends the JVM with its status; the exit hook does not wait for that call. */
    @Test
    void callThatCallsSystemExitEndsTheJvm() throws Exception {
        List<String> lines = runToExit(CallExits.class, 3);
        assertThat(lines).contains("calling exit").doesNotContain("not reached");
    }

    /** A pool with work keeps the JVM alive until that work is done; then the JVM exits. */
    @Test
    void mainThatNeverCallsShutdownStillRunsItsWorkAndExits() throws Exception {
        List<String> lines = runToExit(WorkOutlivesMain.class, 0);
        assertThat(lines).containsSubsequence("main returns", "first call done after main returned", "queued call done");
    }

    /** An idle pool does not keep the JVM alive. */
    @Test
    void idlePoolDoesNotKeepTheJvmAlive() throws Exception {
        List<String> lines = runToExit(IdlePool.class, 0);
        assertThat(lines).containsExactly("result 42", "main returns");
    }
}
