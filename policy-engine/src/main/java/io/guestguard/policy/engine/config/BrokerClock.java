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
 * The engine runs on the broker's clock: the decider's clock is the timestamp of each fact's record
 * on {@code guest-log.v1}, and the host-loss detector measures a host's silence by the timestamps of
 * its beats and ticks on {@code host-heartbeats.v1}. So both topics must be stamped by the broker
 * ({@code message.timestamp.type=LogAppendTime}): with the default {@code CreateTime}, whoever writes
 * a record (a guest or a host, with its own clock) would set the time it counts at. The engine checks
 * them once at start, before it decides anything, and refuses to start otherwise with the command
 * that fixes it. A topic that does not exist yet is waited for, as Kafka Streams waits for its source
 * topics.
 */
public final class BrokerClock {

    /** Why the guest log must be stamped by the broker, for the message that refuses it. */
    public static final String DECIDER = "the decider's clock is the broker's time of each fact's record (a guest's "
            + "clock may be hours off)";
    /** Why the hosts' beats must be stamped by the broker. */
    public static final String DETECTOR = "the host-loss detector measures a host's silence by the broker's time of "
            + "its beats (a host's clock may be off)";

    private static final Logger LOG = Logger.getLogger(BrokerClock.class);
    static final String REQUIRED = "LogAppendTime";

    private BrokerClock() {
    }

    /**
     * Returns once {@code topic} exists and is {@code LogAppendTime}.
     *
     * @param why what the broker's times on it are for ({@link #DECIDER}, {@link #DETECTOR}), for the message
     * @param bootstrapServers shown in the fix, as {@code kafka-configs.sh} needs it
     * @throws IllegalStateException when the topic is stamped otherwise: its message names the topic, the
     *                               setting and the command that fixes it
     */
    public static void require(Admin admin, String topic, String why, String bootstrapServers, Duration retryEvery) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        boolean told = false;
        while (true) {
            try {
                Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                var entry = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
                String type = entry == null ? "CreateTime" : entry.value();
                if (!REQUIRED.equals(type)) {
                    throw new IllegalStateException(problem(topic, type, why, bootstrapServers));
                }
                LOG.infof("%s is stamped by the broker (%s=%s)", topic, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, type);
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

    static String problem(String topic, String type, String why, String bootstrapServers) {
        return "topic " + topic + " has " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=" + type + ", but " + why
                + ", so it must be stamped by the broker, not by whoever wrote to it. Set it and start the engine again: "
                + "kafka-configs.sh --bootstrap-server " + bootstrapServers + " --alter --entity-type topics --entity-name "
                + topic + " --add-config " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=" + REQUIRED;
    }
}
