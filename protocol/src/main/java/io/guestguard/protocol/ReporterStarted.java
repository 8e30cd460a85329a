package io.guestguard.protocol;

/**
 * A guest's reporter (re)started: the first fact of each of its runs, so a watcher knows contact
 * began again and with how much backlog.
 *
 * @param unsentFacts facts its outbox held from before, not yet acknowledged by Kafka; they follow
 * @param droppedFacts facts its outbox ever had to drop because it was full (0 in a healthy guest)
 */
public record ReporterStarted(int unsentFacts, long droppedFacts) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.reporterStarted(this);
    }

    @Override
    public String describe() {
        return "reporter started" + (unsentFacts > 0 ? " (" + unsentFacts + " earlier facts follow)" : "")
                + (droppedFacts > 0 ? ", " + droppedFacts + " facts dropped by a full outbox" : "");
    }
}
