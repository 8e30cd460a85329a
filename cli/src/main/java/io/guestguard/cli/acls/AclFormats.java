package io.guestguard.cli.acls;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** {@link FleetAcls} written as {@code kafka-acls} commands or as Strimzi {@code KafkaUser} resources. */
public final class AclFormats {

    private AclFormats() {
    }

    /** One {@code kafka-acls.sh --add} line per principal and resource, its operations together. */
    public static String kafkaAcls(FleetAcls fleet, String bootstrapServers, String commandConfig) {
        StringBuilder out = new StringBuilder();
        fleet.byUser().forEach((user, acls) -> {
            out.append("# ").append(fleet.principal(user)).append('\n');
            grouped(acls).forEach((resource, operations) -> {
                out.append("kafka-acls.sh --bootstrap-server ").append(bootstrapServers);
                if (commandConfig != null) {
                    out.append(" --command-config ").append(commandConfig);
                }
                out.append(" --add --allow-principal '").append(fleet.principal(user)).append('\'');
                operations.forEach(op -> out.append(" --operation ").append(name(op)));
                out.append(switch (resource.resourceType()) {
                    case TOPIC -> " --topic " + resource.name();
                    case GROUP -> " --group " + resource.name();
                    case TRANSACTIONAL_ID -> " --transactional-id " + resource.name();
                    case CLUSTER -> " --cluster";
                    default -> throw new IllegalArgumentException("no ACL of GuestGuard is on " + resource);
                });
                if (resource.patternType() == PatternType.PREFIXED) {
                    out.append(" --resource-pattern-type prefixed");
                }
                out.append('\n');
            });
        });
        return out.toString();
    }

    /** One {@code KafkaUser} per principal (apiVersion kafka.strimzi.io/v1beta2), as a YAML stream. */
    public static String strimzi(FleetAcls fleet, String cluster) {
        StringBuilder out = new StringBuilder();
        fleet.byUser().forEach((user, acls) -> {
            out.append("---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaUser\nmetadata:\n  name: ").append(user)
                    .append("\n  labels:\n    strimzi.io/cluster: ").append(cluster)
                    .append("\nspec:\n  authentication:\n    type: ").append(fleet.authentication().strimzi())
                    .append("\n  authorization:\n    type: simple\n    acls:\n");
            grouped(acls).forEach((resource, operations) -> {
                out.append("      - resource:\n          type: ").append(strimziType(resource.resourceType()));
                if (resource.resourceType() != ResourceType.CLUSTER) {
                    out.append("\n          name: ").append(resource.name()).append("\n          patternType: ")
                            .append(strimziPattern(resource.patternType()));
                }
                out.append("\n        operations: [")
                        .append(operations.stream().map(AclFormats::name).collect(Collectors.joining(", ")))
                        .append("]\n        host: \"*\"\n");
            });
        });
        return out.toString();
    }

    private static Map<ResourcePattern, List<AclOperation>> grouped(List<AclBinding> acls) {
        Map<ResourcePattern, List<AclOperation>> grouped = new LinkedHashMap<>();
        acls.forEach(acl -> grouped.computeIfAbsent(acl.pattern(), p -> new ArrayList<>()).add(acl.entry().operation()));
        return grouped;
    }

    /** Kafka's and Strimzi's spelling of an operation: {@code IDEMPOTENT_WRITE} is {@code IdempotentWrite}. */
    static String name(AclOperation operation) {
        StringBuilder name = new StringBuilder();
        for (String word : operation.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }

    /**
     * Strimzi's spelling of a pattern type: its KafkaUser CRD takes {@code literal} or {@code prefix},
     * not Kafka's {@code prefixed}, and refuses the user otherwise.
     */
    private static String strimziPattern(PatternType type) {
        return switch (type) {
            case LITERAL -> "literal";
            case PREFIXED -> "prefix";
            default -> throw new IllegalArgumentException("no ACL of GuestGuard has pattern type " + type);
        };
    }

    private static String strimziType(ResourceType type) {
        return switch (type) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
            case CLUSTER -> "cluster";
            default -> throw new IllegalArgumentException("no ACL of GuestGuard is on " + type);
        };
    }
}
