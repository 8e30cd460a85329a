package io.guestguard.console.act;

import io.guestguard.protocol.Ids;
import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.kafka.OperatorLog.KafkaUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Writes a confirmed action as the console's signed {@code operator.request}, on behalf of the user
 * who confirmed it, and counts every outcome on {@code /q/metrics} as
 * {@code guestguard_console_operator_actions_total{action, outcome}}: {@code written}, {@code invalid}
 * (the form was refused, nothing written) or {@code failed} (Kafka did not take it).
 */
@ApplicationScoped
public class ActionWriter {

    /** The counter's name; Prometheus adds {@code _total}. */
    static final String METRIC = "guestguard.console.operator.actions";
    private static final Logger LOG = Logger.getLogger(ActionWriter.class);

    private final ConsoleOperator operator;
    private final MeterRegistry metrics;

    public ActionWriter(ConsoleOperator operator, MeterRegistry metrics) {
        this.operator = operator;
        this.metrics = metrics;
    }

    /** What was written: the request's event id (what the engine's decision names as its cause) and where. */
    public record Written(String requestId, String topic, int partition, long offset) {
    }

    /**
     * @param user the signed-in user who confirmed it
     * @throws PlannedAction.Invalid        when the user's name cannot be recorded as {@code onBehalfOf}
     * @throws KafkaUnavailableException when Kafka did not take it; the message says why and the fix
     */
    public Written write(PlannedAction action, String user) throws PlannedAction.Invalid, KafkaUnavailableException {
        if (!Ids.valid(user)) {
            throw new PlannedAction.Invalid(action.kind(), "your user name cannot be recorded as who asked (" + user.length()
                    + " characters; allowed: ASCII letters, digits and . _ - : @ = +, starting with a letter or digit); "
                    + "ask for a user name of those characters");
        }
        try {
            OperatorLog.Written written = operator.log().tell(action.guest(), action.request(operator.name(), user), operator.name());
            count(action.kind(), "written");
            LOG.infof("%s asked: %s (request %s, %s partition %d offset %d)", user, action.sentence(), written.id(),
                    written.where().topic(), written.where().partition(), written.where().offset());
            return new Written(written.id(), written.where().topic(), written.where().partition(), written.where().offset());
        } catch (KafkaUnavailableException e) {
            operator.reset();
            count(action.kind(), "failed");
            LOG.warnf("%s asked: %s; not written: %s", user, action.sentence(), e.getMessage());
            throw e;
        }
    }

    /** Counts an action refused before anything was written. */
    public void invalid(String kind) {
        count(kind, "invalid");
    }

    private void count(String kind, String outcome) {
        Counter.builder(METRIC).description("Operator actions confirmed in the console, by action and outcome")
                .tag("action", kind).tag("outcome", outcome).register(metrics).increment();
    }
}
