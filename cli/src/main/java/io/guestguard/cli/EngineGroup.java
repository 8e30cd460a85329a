package io.guestguard.cli;

import io.guestguard.protocol.fleet.FleetStatus;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The policy engine as its consumer group shows it (the group is its Kafka Streams {@code application.id}):
 * its lag on the guest log (the committed facts past the group's committed offsets, summed over the
 * partitions; a partition it never committed counts from its beginning) and how many members it has.
 * Asked with the Admin client, as {@code kafka-consumer-groups.sh --describe} does (the engine's group
 * uses the classic protocol, Kafka Streams' default: a group of the streams protocol would read as one
 * that does not exist, with no member); a cluster that does
 * not answer or does not allow it gives an {@link FleetStatus.Engine} that says why, never a failure of
 * the whole status.
 */
final class EngineGroup {

    /** The engine's {@code quarkus.kafka-streams.application-id} by default. */
    static final String DEFAULT_GROUP = "guestguard-policy-engine";

    private EngineGroup() {
    }

    static FleetStatus.Engine read(KafkaClientSettings kafka, String guestLog, String group, Duration timeout) {
        try (Admin admin = Admin.create(kafka.with(Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())))) {
            long wait = timeout.toMillis();
            int members;
            Map<TopicPartition, OffsetAndMetadata> committed;
            try {
                ConsumerGroupDescription described = admin.describeConsumerGroups(java.util.List.of(group))
                        .describedGroups().get(group).get(wait, TimeUnit.MILLISECONDS);
                members = described.members().size();
                committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(wait, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
                members = 0; // the engine never joined: every fact waits
                committed = Map.of();
            }
            var partitions = admin.describeTopics(java.util.List.of(guestLog)).allTopicNames().get(wait, TimeUnit.MILLISECONDS)
                    .get(guestLog).partitions().stream().map(p -> new TopicPartition(guestLog, p.partition())).toList();
            // The last stable offset: a fact in an open transaction is not yet there for the engine to read.
            ListOffsetsResult ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(Function.identity(),
                    p -> OffsetSpec.latest())), new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_COMMITTED));
            ListOffsetsResult starts = admin.listOffsets(partitions.stream().collect(Collectors.toMap(Function.identity(),
                    p -> OffsetSpec.earliest())));
            long lag = 0;
            for (TopicPartition p : partitions) {
                long end = ends.partitionResult(p).get(wait, TimeUnit.MILLISECONDS).offset();
                OffsetAndMetadata at = committed.get(p);
                long from = at != null ? at.offset() : starts.partitionResult(p).get(wait, TimeUnit.MILLISECONDS).offset();
                lag += Math.max(0, end - from);
            }
            return new FleetStatus.Engine(group, lag, members, null);
        } catch (ExecutionException e) {
            return FleetStatus.Engine.unreadable(group, String.valueOf(e.getCause().getMessage()));
        } catch (TimeoutException e) {
            return FleetStatus.Engine.unreadable(group, "the cluster did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FleetStatus.Engine.unreadable(group, "interrupted");
        } catch (RuntimeException e) {
            return FleetStatus.Engine.unreadable(group, String.valueOf(e.getMessage()));
        }
    }
}
