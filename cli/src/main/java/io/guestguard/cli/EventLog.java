package io.guestguard.cli;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.history.LoggedEvent;

import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Where a replay reads from: the facts in their order per guest, and the decisions that were made
 * live. A broker and an exported file are two sources of the same thing.
 */
interface EventLog {

    /** Hands every fact (of the selected guest, if any) to {@code sink}, each guest's facts in log order. */
    void facts(Consumer<LoggedEvent> sink);

    /** The live decisions (of the selected guest, if any), by decision id. */
    Map<String, CloudEvent<Decision>> decisions();

    /** How many facts {@link #facts} will hand over, when known in advance (for progress). */
    OptionalLong size();

    /** Adds {@code logged} to {@code decisions} by id if it is a decision; sources share this. */
    @SuppressWarnings("unchecked")
    static void keepDecision(Map<String, CloudEvent<Decision>> decisions, LoggedEvent logged) {
        if (logged.event().data() instanceof Decision) {
            decisions.put(logged.event().id(), (CloudEvent<Decision>) logged.event());
        }
    }
}
