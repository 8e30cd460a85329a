package io.guestguard.cli;

import io.guestguard.cli.acls.AclFormats;
import io.guestguard.cli.acls.FleetAcls;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.files.FieldReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code guestguard acls}: the least-privilege Kafka ACLs of a fleet ({@link FleetAcls}), one
 * principal per role, printed for an operator to apply: as {@code kafka-acls.sh} commands, or as
 * Strimzi {@code KafkaUser} resources. Prints only; it never changes a cluster.
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        description = "Prints the least-privilege Kafka ACLs of a fleet, one principal per role (the policy engine, "
                + "the migration watcher, the web console, each host's supervisor, each guest's reporter, each operator), as kafka-acls.sh "
                + "commands or as Strimzi KafkaUser resources. Kafka cannot restrict a principal by record key: a guest "
                + "may write any guest's facts to the guest log (docs/operations.md, 'Kafka ACLs').")
final class AclsCommand implements Callable<Integer> {

    enum Format { KAFKA_ACLS, STRIMZI }

    @Spec
    CommandSpec spec;

    @Option(names = "--hosts", split = ",", paramLabel = "HOST[,HOST...]", description = "The fleet's host ids (guestguard.host.id).")
    List<String> hosts = List.of();

    @Option(names = "--guests", split = ",", paramLabel = "GUEST[,GUEST...]", description = "The fleet's guest ids.")
    List<String> guests = List.of();

    @Option(names = "--operators", split = ",", paramLabel = "USER[,USER...]", defaultValue = "guestguard-operator",
            description = "Users who apply packages and run guest, app, replay and export (default: ${DEFAULT-VALUE}).")
    List<String> operators;

    @Option(names = "--engine-application-id", defaultValue = "guestguard-policy-engine", paramLabel = "ID",
            description = "The policy engine's quarkus.kafka-streams.application-id (default: ${DEFAULT-VALUE}).")
    String engineApplicationId;

    @Option(names = "--watcher-application-id", defaultValue = "guestguard-migration-watcher", paramLabel = "ID",
            description = "The migration watcher's quarkus.kafka-streams.application-id (default: ${DEFAULT-VALUE}).")
    String watcherApplicationId;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of GuestGuard's topic names, as the services' guestguard.topic-prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--authentication", defaultValue = "SCRAM_SHA_512", paramLabel = "SCRAM_SHA_512|TLS",
            description = "How the clients authenticate: SCRAM users are named as above, TLS clients by their certificate's CN=NAME (default: ${DEFAULT-VALUE}).")
    FleetAcls.Authentication authentication;

    @Option(names = "--format", defaultValue = "KAFKA_ACLS", paramLabel = "KAFKA_ACLS|STRIMZI",
            description = "kafka-acls.sh commands, or Strimzi KafkaUser resources (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-BROKER:9093}", paramLabel = "HOST:PORT",
            description = "Written into the kafka-acls.sh commands (default: KAFKA_BOOTSTRAP_SERVERS, else ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "An administrator's client settings, written into the kafka-acls.sh commands.")
    String commandConfig;

    @Option(names = "--cluster", defaultValue = "guestguard", paramLabel = "NAME",
            description = "The Strimzi Kafka cluster the users belong to (label strimzi.io/cluster; default: ${DEFAULT-VALUE}).")
    String cluster;

    @Override
    public Integer call() {
        for (String id : concat(hosts, guests, operators)) {
            if (!FieldReader.NAME.matcher(id).matches()) {
                throw new ParameterException(spec.commandLine(), "'" + id + "' is not a host, guest or user id: " + FieldReader.NAME_RULE);
            }
        }
        FleetAcls fleet = new FleetAcls(new Topics(topicPrefix), engineApplicationId, watcherApplicationId, hosts, guests,
                operators, authentication);
        spec.commandLine().getOut().print(format == Format.STRIMZI ? AclFormats.strimzi(fleet, cluster)
                : AclFormats.kafkaAcls(fleet, bootstrapServers, commandConfig));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }
}
