package io.guestguard.reporter.messaging;

import io.guestguard.protocol.Traceparent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which trace an application's next {@code started} or {@code stopped} continues: the trace of the
 * command being applied to it (restart, start, stop), noted before the command acts, so the fact that
 * answers it joins the command's chain with a span of its own. A fact about an application no command
 * is waiting on (its first start, an adoption, a stop on shutdown) starts a trace of its own.
 */
final class CommandTraces {

    private final Map<String, Traceparent> awaited = new ConcurrentHashMap<>();

    /** {@code app}'s next fact answers a command carrying {@code trace} ({@code null}: a command without one). */
    void expect(String app, Traceparent trace) {
        if (trace == null) {
            awaited.remove(app);
        } else {
            awaited.put(app, trace);
        }
    }

    /** The trace of {@code app}'s fact: the awaited command's continued, once, or a new one. */
    Traceparent answer(String app) {
        Traceparent command = awaited.remove(app);
        return command == null ? Traceparent.start() : command.child();
    }
}
