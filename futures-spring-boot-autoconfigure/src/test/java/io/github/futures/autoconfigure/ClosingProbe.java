package io.github.futures.autoconfigure;

import java.util.concurrent.CountDownLatch;
import org.springframework.context.SmartLifecycle;

/**
 * A lifecycle bean that tells a test when a closing context reaches it: it stops in the phase just
 * after the one a test wants to catch ({@link #getPhase()}), so {@link #closing} opens just before
 * that phase stops.
 */
abstract class ClosingProbe implements SmartLifecycle {

    /** Opens when the context stops this bean. */
    final CountDownLatch closing = new CountDownLatch(1);

    private volatile boolean running;

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        this.closing.countDown();
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }
}
