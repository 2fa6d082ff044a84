package io.github.futures.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.futures.PoolLogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pool events published through {@link TaskStats}: counts, the last replacements, listeners. */
@Timeout(10)
class PoolEventsTest {

    /** Rejections, timed-out calls and replacements by reason are counted as they are published. */
    @Test
    void publishedEventsAreCountedByTypeAndReason() {
        TaskStats stats = new TaskStats();
        stats.publish(PoolEvent.now(PoolEvent.Type.CALL_REJECTED, -1, null, "limit 10"));
        stats.publish(PoolEvent.now(PoolEvent.Type.CALL_TIMED_OUT, 42, null, null));
        stats.publish(PoolEvent.now(PoolEvent.Type.CALL_TIMED_OUT, 42, null, null));
        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_REPLACED, 42, "timeout", null));
        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_REPLACED, 43, "died", null));
        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_REPLACED, 44, "died", null));
        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_STARTED, 45, null, null));
        assertEquals(1, stats.rejectedCount());
        assertEquals(2, stats.timedOutCount());
        assertEquals(Map.of("died", 2L, "timeout", 1L), stats.replacedCounts());
        assertEquals(List.of(42L, 43L, 44L), stats.lastReplacements().stream().map(PoolEvent::pid).toList());
    }

    /** Only the last sixteen replacements are kept, oldest first. */
    @Test
    void lastReplacementsKeepsTheNewestSixteen() {
        TaskStats stats = new TaskStats();
        for (int i = 0; i < 40; i++) {
            stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_REPLACED, i, "memory", null));
        }
        List<PoolEvent> last = stats.lastReplacements();
        assertEquals(16, last.size());
        assertEquals(24, last.get(0).pid());
        assertEquals(39, last.get(15).pid());
    }

    /** A failing listener neither stops the others nor reaches the publisher; a removed one hears nothing. */
    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        TaskStats stats = new TaskStats();
        List<PoolEvent> heard = new ArrayList<>();
        PoolEventListener failing = e -> {
            throw new IllegalStateException("provoked by the test");
        };
        PoolEventListener removed = heard::add;
        stats.addEventListener(failing);
        stats.addEventListener(heard::add);
        stats.addEventListener(removed);
        stats.removeEventListener(removed);
        PoolEvent e = PoolEvent.now(PoolEvent.Type.POOL_BROKEN, -1, null, "a worker died");
        try (PoolLogCapture log = new PoolLogCapture(TaskStats.class.getName())) {
            stats.publish(e);
            assertEquals(1, log.messagesAt(Level.SEVERE).size(), "the listener's failure is logged once");
        }
        assertEquals(List.of(e), heard);
    }

    /** An event needs a time and a type. */
    @Test
    void anEventWithoutTypeIsRefused() {
        assertThrows(NullPointerException.class, () -> PoolEvent.now(null, -1, null, null));
    }
}
