package io.guestguard.policy.engine.config;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The decider's clock is the timestamp of each fact's record on {@code guest-log.v1}, so that topic
 * must be stamped by the broker ({@code message.timestamp.type=LogAppendTime}): with the default
 * {@code CreateTime}, whoever writes a fact (a guest, with its own clock) would set the time its
 * failures count at. The engine checks it once at start, before it decides anything, and refuses to
 * start otherwise with the command that fixes it. A topic that does not exist yet is waited for, as
 * Kafka Streams waits for its source topics.
 */
public final class GuestLogClock {

    private static final Logger LOG = Logger.getLogger(GuestLogClock.class);
    static final String REQUIRED = "LogAppendTime";

    private GuestLogClock() {
    }

    /**
     * Returns once {@code topic} exists and is {@code LogAppendTime}.
     *
     * @param bootstrapServers shown in the fix, as {@code kafka-configs.sh} needs it
     * @throws IllegalStateException when the topic is stamped otherwise: its message names the topic, the
     *                               setting and the command that fixes it
     */
    public static void require(Admin admin, String topic, String bootstrapServers, Duration retryEvery) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        boolean told = false;
        while (true) {
            try {
                Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                var entry = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
                String type = entry == null ? "CreateTime" : entry.value();
                if (!REQUIRED.equals(type)) {
                    throw new IllegalStateException(problem(topic, type, bootstrapServers));
                }
                LOG.infof("%s is stamped by the broker (%s=%s): decisions run on its record times", topic,
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, type);
                return;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (!told) {
                    told = true;
                    LOG.warnf("cannot read the settings of %s yet (%s); waiting for it: it is created by "
                            + "deploy/embedded-kafka or the operators", topic,
                            cause instanceof UnknownTopicOrPartitionException ? "it does not exist" : cause.toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking the settings of " + topic, e);
            }
            try {
                Thread.sleep(retryEvery.toMillis()); // waiting on an external system; each attempt is bounded above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + topic, e);
            }
        }
    }

    static String problem(String topic, String type, String bootstrapServers) {
        return "topic " + topic + " has " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=" + type + ", but the decider's "
                + "clock is the broker's time of each fact's record, so the guest log must be stamped by the broker, not "
                + "by whoever wrote the fact (a guest's clock may be hours off). Set it and start the engine again: "
                + "kafka-configs.sh --bootstrap-server " + bootstrapServers + " --alter --entity-type topics --entity-name "
                + topic + " --add-config " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=" + REQUIRED;
    }
}
