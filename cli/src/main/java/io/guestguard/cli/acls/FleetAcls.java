package io.guestguard.cli.acls;

import io.guestguard.protocol.Topics;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The least-privilege Kafka ACLs of a fleet, one principal per role: what {@code guestguard acls}
 * prints and what the secure fleet test applies to its broker, so the test proves this very set is
 * enough for the crash-to-restart path and refuses a guest what it must.
 *
 * <p>Kafka authorizes per topic, never per key, partition or event type: a guest may write to the
 * guest log and the guests' beats, so it can write a fact about another guest there, and it may read
 * the guest commands topic, so it can read other guests' commands; only the signed provenance of
 * issue 15 can refuse a forged fact. What these ACLs do is keep a guest off the commands to hosts, the
 * decisions, the placements, the packages and the hosts' beats. Agents read by partition with no
 * consumer group, so they get no group ACL. Every principal reads the keys topic (the key ring it
 * checks signatures with); operators write it, and only the root's signature makes a record count.
 *
 * @param engineApplicationId   the policy engine's Kafka Streams application id: its group, its
 *                              transactional ids and its internal topics all start with it
 * @param watcherApplicationId  the migration watcher's, likewise
 * @param authentication        how principals are named: SCRAM users by their name, TLS clients by
 *                              their certificate's subject {@code CN=name}
 */
public record FleetAcls(Topics topics, String engineApplicationId, String watcherApplicationId, List<String> hosts,
                        List<String> guests, List<String> operators, Authentication authentication) {

    public static final String ENGINE_USER = "guestguard-engine";
    public static final String WATCHER_USER = "guestguard-watcher";
    public static final String CONSOLE_USER = "guestguard-console";

    /** How a client proves who it is; decides the principal's form and the Strimzi user's authentication. */
    public enum Authentication {
        SCRAM_SHA_512("scram-sha-512"), TLS("tls");

        private final String strimzi;

        Authentication(String strimzi) {
            this.strimzi = strimzi;
        }

        public String strimzi() {
            return strimzi;
        }
    }

    public FleetAcls {
        hosts = List.copyOf(hosts);
        guests = List.copyOf(guests);
        operators = List.copyOf(operators);
    }

    /** The SCRAM user (or certificate common name) of host {@code id}'s supervisor. */
    public static String hostUser(String id) {
        return "host-" + id;
    }

    /** The SCRAM user (or certificate common name) of guest {@code id}'s reporter. */
    public static String guestUser(String id) {
        return "guest-" + id;
    }

    /** Kafka's principal for {@code user}. */
    public String principal(String user) {
        return "User:" + (authentication == Authentication.TLS ? "CN=" + user : user);
    }

    /** Every user's ACLs, by user name, in a stable order: engine, watcher, console, hosts, guests, operators. */
    public Map<String, List<AclBinding>> byUser() {
        Map<String, List<AclBinding>> all = new LinkedHashMap<>();
        all.put(ENGINE_USER, streams(engineApplicationId, List.of(topics.guestLog(), topics.hostHeartbeats(), topics.placements()),
                List.of(topics.guestLog(), topics.hostHeartbeats(), topics.guestCommands(), topics.hostCommands(),
                        topics.decisions(), topics.placements(), topics.packages(), topics.deadLetter()), ENGINE_USER));
        all.put(WATCHER_USER, streams(watcherApplicationId, List.of(topics.guestLog(), topics.heartbeats()),
                List.of(topics.guestLog(), topics.guestCommands(), topics.deadLetter()), WATCHER_USER));
        all.put(CONSOLE_USER, console());
        for (String host : hosts) {
            all.put(hostUser(host), agent(hostUser(host), List.of(topics.hostCommands(), topics.placements(), topics.hostHeartbeats(),
                            topics.keys()),
                    List.of(topics.guestLog(), topics.hostHeartbeats(), topics.deadLetter())));
        }
        for (String guest : guests) {
            all.put(guestUser(guest), agent(guestUser(guest), List.of(topics.guestCommands(), topics.keys()),
                    List.of(topics.guestLog(), topics.heartbeats(), topics.deadLetter())));
        }
        for (String operator : operators) {
            Grants grants = new Grants(principal(operator));
            // The keys topic: registrations and revocations, which only the root's signature makes count.
            grants.topic(AclOperation.WRITE, topics.guestLog(), topics.keys());
            // replay reads the guest log, the decisions, and the engine's dead letters (what it refused);
            // status and the host commands read the packages, the placements and the hosts' beats too.
            grants.topic(AclOperation.READ, topics.guestLog(), topics.decisions(), topics.keys(), topics.deadLetter(),
                    topics.packages(), topics.placements(), topics.hostHeartbeats());
            // status describes the engine's group: its members and committed offsets, the engine's lag.
            grants.group(AclOperation.DESCRIBE, engineApplicationId);
            grants.cluster(AclOperation.IDEMPOTENT_WRITE);
            all.put(operator, grants.acls);
        }
        return all;
    }

    /**
     * The web console: reads the topics its pages show, the key ring and, for a guest's history, the guest
     * log and both command topics (by partition, no group, nothing committed), and writes its users' operator requests to the guest log, idempotently; it writes no
     * command, decision or key.
     */
    private List<AclBinding> console() {
        Grants grants = new Grants(principal(CONSOLE_USER));
        grants.topic(AclOperation.READ, topics.packages(), topics.placements(), topics.decisions(), topics.hostHeartbeats(),
                topics.deadLetter(), topics.keys(), topics.guestLog(), topics.guestCommands(), topics.hostCommands());
        grants.topic(AclOperation.WRITE, topics.guestLog());
        grants.cluster(AclOperation.IDEMPOTENT_WRITE);
        return grants.acls;
    }

    /** Every ACL of the fleet. */
    public List<AclBinding> all() {
        return byUser().values().stream().flatMap(List::stream).toList();
    }

    /**
     * A Kafka Streams application: its inputs and outputs, and everything named after its application
     * id (internal topics it creates, its group, its transactional ids for exactly-once).
     */
    private List<AclBinding> streams(String applicationId, List<String> reads, List<String> writes, String user) {
        Grants grants = new Grants(principal(user));
        grants.topic(AclOperation.READ, reads.toArray(String[]::new));
        grants.topic(AclOperation.WRITE, writes.toArray(String[]::new));
        grants.topic(AclOperation.READ, topics.keys()); // the key ring, read beside the streams
        // Quarkus waits for its input and output topics by listing them; the engine reads their configurations
        // to check the broker stamps the guest log (BrokerClock).
        grants.topic(AclOperation.DESCRIBE_CONFIGS, reads.toArray(String[]::new));
        grants.prefixed(ResourceType.TOPIC, applicationId, AclOperation.ALL);
        grants.prefixed(ResourceType.GROUP, applicationId, AclOperation.READ);
        grants.prefixed(ResourceType.TRANSACTIONAL_ID, applicationId, AclOperation.WRITE);
        grants.prefixed(ResourceType.TRANSACTIONAL_ID, applicationId, AclOperation.DESCRIBE);
        grants.cluster(AclOperation.IDEMPOTENT_WRITE);
        return grants.acls;
    }

    /** A reporter or a supervisor: reads its topics by partition (no group), writes with idempotence. */
    private List<AclBinding> agent(String user, List<String> reads, List<String> writes) {
        Grants grants = new Grants(principal(user));
        grants.topic(AclOperation.READ, reads.toArray(String[]::new));
        grants.topic(AclOperation.WRITE, writes.toArray(String[]::new));
        grants.cluster(AclOperation.IDEMPOTENT_WRITE);
        return grants.acls;
    }

    /** One principal's ACLs, allowed from any host. */
    private static final class Grants {
        private final String principal;
        private final List<AclBinding> acls = new ArrayList<>();

        Grants(String principal) {
            this.principal = principal;
        }

        void topic(AclOperation operation, String... names) {
            for (String name : names) {
                add(new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL), operation);
            }
        }

        void group(AclOperation operation, String name) {
            add(new ResourcePattern(ResourceType.GROUP, name, PatternType.LITERAL), operation);
        }

        void prefixed(ResourceType type, String prefix, AclOperation operation) {
            add(new ResourcePattern(type, prefix, PatternType.PREFIXED), operation);
        }

        void cluster(AclOperation operation) {
            add(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL), operation);
        }

        private void add(ResourcePattern resource, AclOperation operation) {
            acls.add(new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }
}
