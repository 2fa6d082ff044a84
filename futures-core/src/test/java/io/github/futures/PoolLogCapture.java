package io.github.futures;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a logger of the library logs (System.Logger goes to java.util.logging by default): the thread
 * pool's, or another. While open, the logger's records reach only this capture, so the failures a test provokes
 * on purpose are checked there and stay out of the build's output.
 */
public final class PoolLogCapture extends Handler implements AutoCloseable {
    public final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final boolean parentHandlers;

    public PoolLogCapture() {
        this(ThreadPoolExecutor.class.getName());
    }

    public PoolLogCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        parentHandlers = logger.getUseParentHandlers();
        logger.addHandler(this);
        logger.setUseParentHandlers(false); // keep the expected warnings out of the build log
    }

    /** The messages logged at {@code level}. */
    public List<String> messagesAt(Level level) {
        return records.stream().filter(r -> r.getLevel() == level).map(LogRecord::getMessage).toList();
    }

    /** The messages logged at WARNING that contain {@code text}. */
    List<String> warningsContaining(String text) {
        return records.stream()
                .filter(r -> r.getLevel() == Level.WARNING && r.getMessage() != null && r.getMessage().contains(text))
                .map(LogRecord::getMessage)
                .toList();
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
    }
}
