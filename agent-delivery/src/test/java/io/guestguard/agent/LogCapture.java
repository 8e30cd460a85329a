package io.guestguard.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what a logger category logs at WARN and above (JBoss Logging ends in java.util.logging here). */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    /** Captures {@code category} and the categories under it, e.g. {@code io.guestguard}. */
    public LogCapture(String category) {
        logger = Logger.getLogger(category);
        setLevel(Level.WARNING);
        logger.addHandler(this);
    }

    /** The messages logged at {@code level} exactly (WARNING for WARN, SEVERE for ERROR). */
    public List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() == level.intValue())
                .map(LogRecord::getMessage).toList();
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            records.add(record);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
