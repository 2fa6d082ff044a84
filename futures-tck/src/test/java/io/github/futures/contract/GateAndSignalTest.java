package io.github.futures.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test utilities themselves: a gate and a signal work within this JVM and across JVMs. */
@Timeout(60)
class GateAndSignalTest {

    /** A thread of this JVM waits at a gate until it opens; a signal counts its fires. */
    @Test
    void gateHoldsALocalThreadUntilOpened() throws Exception {
        Gate gate = Gate.create();
        try (Signal started = Signal.create()) {
            Gate copy = roundTrip(gate);
            Signal startedCopy = roundTrip(started);
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                startedCopy.fire();
                copy.await();
            });
            started.awaitCount(1);
            assertThat(waiter.isDone()).isFalse();
            assertThat(gate.isOpen()).isFalse();
            gate.open();
            waiter.get(30, TimeUnit.SECONDS);
            assertThat(gate.isOpen()).isTrue();
            copy.await(); // open for ever after
            gate.open(); // harmless again
            assertThat(started.count()).isEqualTo(1);
        }
    }

    /** A signal's awaitCount fails, naming the count, when too few fires arrive in time. */
    @Test
    void signalAwaitFailsWhenTooFewFiresArrive() {
        try (Signal s = Signal.create()) {
            s.fire();
            assertThatThrownBy(() -> s.awaitCount(2, java.time.Duration.ofMillis(50)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("got 1");
            s.awaitCount(1);
        }
    }

    /** In another JVM, fire() reaches the creator and await() blocks on the file lock until open(). */
    @Test
    void gateAndSignalWorkAcrossJvms() throws Exception {
        Gate gate = Gate.create();
        try (Signal started = Signal.create()) {
            String java = System.getProperty("java.home") + "/bin/java";
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    GateChild.class.getName(), encode(gate), encode(started))
                    .redirectErrorStream(true)
                    .start();
            try {
                started.awaitCount(1);
                assertThat(child.waitFor(300, TimeUnit.MILLISECONDS)).as("child passed a closed gate").isFalse();
                gate.open();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.exitValue()).as(out).isZero();
                assertThat(out).contains("passed the gate");
                assertThat(started.count()).isEqualTo(2);
            } finally {
                child.destroyForcibly();
            }
        }
    }

    /** A remote await after the gate was opened passes at once (the gate file is gone). */
    @Test
    void remoteAwaitAfterOpenPassesAtOnce() throws Exception {
        Gate gate = Gate.create();
        gate.open();
        try (Signal started = Signal.create()) {
            String java = System.getProperty("java.home") + "/bin/java";
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    GateChild.class.getName(), encode(gate), encode(started))
                    .redirectErrorStream(true)
                    .start();
            try {
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.exitValue()).as(out).isZero();
                assertThat(started.count()).isEqualTo(2);
            } finally {
                child.destroyForcibly();
            }
        }
    }

    /** The child: fires, waits at the gate, fires again. */
    static final class GateChild {
        public static void main(String[] args) throws Exception {
            Gate gate = decode(args[0]);
            Signal signal = decode(args[1]);
            signal.fire();
            gate.await();
            signal.fire();
            System.out.println("passed the gate");
        }
    }

    static String encode(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @SuppressWarnings("unchecked")
    static <T> T decode(String s) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(s)))) {
            return (T) in.readObject();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws IOException, ClassNotFoundException {
        return (T) decode(encode(o));
    }
}
