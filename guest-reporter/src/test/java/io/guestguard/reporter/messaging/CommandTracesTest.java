package io.guestguard.reporter.messaging;

import io.guestguard.protocol.Traceparent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An application's fact that answers a command continues the command's trace, once; any other starts one. */
class CommandTracesTest {

    private final CommandTraces traces = new CommandTraces();

    @Test
    void theFactAnsweringACommandContinuesItsTraceOnce() {
        Traceparent restart = Traceparent.start();
        traces.expect("app1", restart);

        Traceparent started = traces.answer("app1");
        Traceparent later = traces.answer("app1");

        assertThat(started.traceId()).isEqualTo(restart.traceId());
        assertThat(started.parentId()).isNotEqualTo(restart.parentId());
        assertThat(later.traceId()).as("answered once: the next fact starts its own").isNotEqualTo(restart.traceId());
    }

    @Test
    void aFactNoCommandAwaitsOrOfACommandWithoutATraceStartsOne() {
        Traceparent other = Traceparent.start();
        traces.expect("app2", other);
        traces.expect("app1", Traceparent.start());
        traces.expect("app1", null); // a later command without a trace replaces the earlier one

        Traceparent app1 = traces.answer("app1");
        Traceparent app3 = traces.answer("app3");

        assertThat(app1).isNotNull();
        assertThat(app3.traceId()).isNotEqualTo(app1.traceId());
        assertThat(traces.answer("app2").traceId()).as("each application its own").isEqualTo(other.traceId());
    }
}
