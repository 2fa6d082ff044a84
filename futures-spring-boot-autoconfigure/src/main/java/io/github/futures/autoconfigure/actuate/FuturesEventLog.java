package io.github.futures.autoconfigure.actuate;

import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.PoolEventListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * The last pool events of every executor bean, oldest first, for the {@code futuresevents}
 * endpoint: as each {@link ObservableExecutor} bean is initialized (a bean post-processor, so before
 * any start-up check or prestart starts a worker), a {@link PoolEventListener} is registered on its
 * {@code TaskStats}, tagged with the bean name; past {@code capacity} events, the oldest is dropped.
 *
 * <p>Implementation note: {@code events} (a ring of at most {@code capacity} entries) is guarded by
 * itself; a listener holds that monitor only to add one entry, so a pool's thread never waits for
 * more than another add or a copy of the ring. {@code registered} is written as beans are
 * initialized and read in {@link #destroy}, both in the thread that refreshes or closes the context.
 *
 * @since 0.1.0
 */
public final class FuturesEventLog implements BeanPostProcessor, DisposableBean {

    /**
     * One event of one pool.
     *
     * @param pool the executor's bean name
     * @param event the event
     */
    public record Entry(String pool, PoolEvent event) {
    }

    private final int capacity;

    private final ArrayDeque<Entry> events;

    private final List<Runnable> registered = new ArrayList<>();

    /**
     * A log of the events of every executor bean of the context it is registered in.
     *
     * @param capacity how many events to keep, at least 1
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public FuturesEventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof ObservableExecutor executor) {
            listenTo(beanName, executor);
        }
        return bean;
    }

    /**
     * Records the events of one more executor from now on.
     *
     * @param name the name its events are tagged with
     * @param executor the executor
     */
    public void listenTo(String name, ObservableExecutor executor) {
        PoolEventListener listener = event -> add(new Entry(name, event));
        executor.taskStats().addEventListener(listener);
        this.registered.add(() -> executor.taskStats().removeEventListener(listener));
    }

    private void add(Entry entry) {
        synchronized (this.events) {
            if (this.events.size() == this.capacity) {
                this.events.pollFirst();
            }
            this.events.addLast(entry);
        }
    }

    /**
     * The events kept, oldest first.
     *
     * @return a copy
     */
    public List<Entry> events() {
        synchronized (this.events) {
            return List.copyOf(this.events);
        }
    }

    /**
     * How many events are kept at most.
     *
     * @return the capacity
     */
    public int capacity() {
        return this.capacity;
    }

    @Override
    public void destroy() {
        this.registered.forEach(Runnable::run);
        this.registered.clear();
    }
}
