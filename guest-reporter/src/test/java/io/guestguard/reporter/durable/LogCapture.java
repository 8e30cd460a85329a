package io.guestguard.reporter.durable;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what this package logs at WARN and above (JBoss Logging ends in java.util.logging here). */
final class LogCapture extends Handler implements AutoCloseable {

    private static final String CATEGORY = "io.guestguard.reporter.durable";
    private final Logger logger = Logger.getLogger(CATEGORY);
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.WARNING);
        logger.addHandler(this);
    }

    /** The messages logged at {@code level} exactly (WARNING for WARN, SEVERE for ERROR). */
    List<String> messages(Level level) {
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
