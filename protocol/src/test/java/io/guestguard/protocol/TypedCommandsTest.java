package io.guestguard.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Commands are dispatched by a visitor and have a typed kind; refusals name that kind and a typed reason. */
class TypedCommandsTest {

    private final EventCodec codec = new EventCodec();
    private final ObjectMapper mapper = new ObjectMapper();

    private static final String REFUSAL_BEFORE_TYPED_REASONS = """
            {"specversion":"1.0","id":"6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d","source":"/host/h2/supervisor",
             "type":"io.guestguard.host.command-refused.v1","time":"2026-11-26T14:06:00.250Z",
             "datacontenttype":"application/json","guestid":"g1","hostid":"h2","epoch":6,
             "data":{"host":"h2","commandId":"fence-f3","command":"fence-host","reason":"fence hook exited 1"}}""";

    @Test
    void everyCommandsKindIsTheMiddleOfItsTypeAndItsVisitorMethodIsItsOwn() throws IOException {
        List<EventType> commandTypes = Arrays.stream(EventType.values())
                .filter(t -> Command.class.isAssignableFrom(t.payloadClass())).toList();
        assertThat(commandTypes).hasSameSizeAs(CommandKind.values());
        for (EventType type : commandTypes) {
            Command command = (Command) codec.decode(GoldenSamplesTest.golden(type)).data();

            assertThat("io.guestguard.command." + command.kind().wireName() + ".v1").isEqualTo(type.type());
            assertThat(command.accept(new Named())).isEqualTo(type.payloadClass().getSimpleName());
        }
    }

    @Test
    void aRefusalWrittenBeforeReasonsWereTypedStillReadsAndTravelsUnchanged() throws IOException {
        byte[] old = REFUSAL_BEFORE_TYPED_REASONS.getBytes(StandardCharsets.UTF_8);

        CloudEvent<?> event = codec.decode(old);

        CommandRefused refused = (CommandRefused) event.data();
        assertThat(refused.command()).isEqualTo(CommandKind.FENCE_HOST);
        assertThat(refused.refusal()).isNull();
        assertThat(refused.reason()).isEqualTo("fence hook exited 1");
        assertThat(mapper.readTree(codec.encode(event))).isEqualTo(mapper.readTree(old));
    }

    @Test
    void aRefusalReadsAsBeforeInText() {
        CommandRefused refused = new CommandRefused("h2", "start-f7", CommandKind.START_GUEST, RefusalReason.RUNS_ELSEWHERE,
                "g1 still runs on h1");

        assertThat(refused.describe()).isEqualTo("h2 refused start-guest start-f7: g1 still runs on h1");
        assertThat(String.format("%s", refused.command())).isEqualTo("start-guest");
    }

    @Test
    void aRefusalOfNoKnownCommandKindOrReasonIsRejected() {
        for (String data : List.of(
                "{\"host\":\"h2\",\"commandId\":\"x-1\",\"command\":\"launch-missiles\",\"reason\":\"no\"}",
                "{\"host\":\"h2\",\"commandId\":\"x-1\",\"command\":\"start-guest\",\"refusal\":\"BORED\",\"reason\":\"no\"}")) {
            String json = REFUSAL_BEFORE_TYPED_REASONS.substring(0, REFUSAL_BEFORE_TYPED_REASONS.indexOf("\"data\":"))
                    + "\"data\":" + data + "}";
            assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(RejectedRecordException.class).hasMessageContaining("data");
        }
    }

    /** Names the visitor method a command was dispatched to, by the class it was given. */
    private static final class Named implements Command.Visitor<String> {
        @Override
        public String restartApp(RestartApp command) {
            return "RestartApp";
        }

        @Override
        public String stopApp(StopApp command) {
            return "StopApp";
        }

        @Override
        public String startApp(StartApp command) {
            return "StartApp";
        }

        @Override
        public String rebind(Rebind command) {
            return "Rebind";
        }

        @Override
        public String startGuest(StartGuest command) {
            return "StartGuest";
        }

        @Override
        public String haltGuest(HaltGuest command) {
            return "HaltGuest";
        }

        @Override
        public String migrateGuest(MigrateGuest command) {
            return "MigrateGuest";
        }

        @Override
        public String fenceHost(FenceHost command) {
            return "FenceHost";
        }
    }
}
