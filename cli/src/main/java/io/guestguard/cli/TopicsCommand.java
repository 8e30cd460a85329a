package io.guestguard.cli;

import io.guestguard.protocol.Durations;
import io.guestguard.protocol.kafka.TopicPlan;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code guestguard topics create|check}: GuestGuard's topics on an existing cluster, as
 * {@link TopicPlan} defines them (the embedded broker creates the same). Create before any service
 * starts; check an existing cluster, e.g. after an upgrade or before handing it over.
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Check.class},
        description = "Creates GuestGuard's topics on a Kafka cluster, or checks that its existing topics are as GuestGuard needs them.")
final class TopicsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: name create or check");
    }

    /** The options both subcommands share: the cluster and the topics' shape. */
    static final class Shape {
        @Option(names = "--partitions", paramLabel = "N", defaultValue = "12",
                description = "Partitions of every topic (default: ${DEFAULT-VALUE}); all must have the same number.")
        int partitions;

        @Option(names = "--replication-factor", paramLabel = "R", defaultValue = "3",
                description = "Replicas of every partition (default: ${DEFAULT-VALUE}); check accepts more.")
        short replicationFactor;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates every GuestGuard topic the cluster lacks, with its configuration; topics that exist are left as they are (check them).",
            exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:created, or nothing was missing", "2:Kafka could not be reached or refused the creation",
                    "64:wrong command line"})
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        Shape shape;

        @Override
        public Integer call() {
            if (shape.partitions < 1 || shape.replicationFactor < 1) {
                spec.commandLine().getErr().println("topics create: --partitions and --replication-factor must be at least 1");
                return ExitCodes.USAGE;
            }
            return withAdmin(spec, kafka, "create", admin -> {
                Set<String> created = new TreeSet<>(TopicPlan.create(admin, kafka.topics(), shape.partitions,
                        shape.replicationFactor));
                PrintWriter out = spec.commandLine().getOut();
                Set<String> existing = new TreeSet<>(kafka.topics().all());
                existing.removeAll(created);
                created.forEach(topic -> out.println("created " + topic + " " + describe(kafka, topic)));
                existing.forEach(topic -> out.println("exists  " + topic + " (left as it is; guestguard topics check compares it)"));
                return ExitCodes.OK;
            });
        }

        private String describe(KafkaOptions kafka, String topic) {
            Map<String, String> configs = TopicPlan.configs(kafka.topics(), topic);
            return "(" + shape.partitions + " partitions, replication " + shape.replicationFactor
                    + (configs.isEmpty() ? "" : ", " + String.join(", ", configs.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList())) + ")";
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Compares the cluster's GuestGuard topics with what GuestGuard needs: presence, partitions, replication, cleanup.policy, message.timestamp.type=LogAppendTime where required, retention where set. Names the topic, the setting and the fix of every difference.",
            exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every topic is as GuestGuard needs it", "2:Kafka could not be reached",
                    "4:a topic is missing or differs; each difference is on stderr with its fix", "64:wrong command line"})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        Shape shape;

        @Override
        public Integer call() {
            return withAdmin(spec, kafka, "check", admin -> {
                List<TopicPlan.Problem> problems = TopicPlan.check(admin, kafka.bootstrapServers, kafka.topics(),
                        shape.partitions, shape.replicationFactor, kafka.timeout);
                if (problems.isEmpty()) {
                    spec.commandLine().getOut().println("all " + kafka.topics().all().size() + " GuestGuard topics on "
                            + kafka.bootstrapServers + " are as GuestGuard needs them");
                    return ExitCodes.OK;
                }
                PrintWriter err = spec.commandLine().getErr();
                problems.forEach(problem -> err.println(problem));
                err.println(problems.size() + " difference(s) on " + kafka.bootstrapServers
                        + "; the services may refuse to start or misbehave until they are fixed");
                return ExitCodes.TOPICS_DIFFER;
            });
        }
    }

    private static Admin admin(KafkaOptions kafka) {
        String timeoutMs = Long.toString(Math.min(Integer.MAX_VALUE, kafka.timeout.toMillis()));
        return Admin.create(kafka.settings().with(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "guestguard-cli-topics",
                // Both, or the client raises the API timeout to the 30 s request timeout.
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs)));
    }

    /** What a subcommand does with the cluster's admin client; its failures to reach Kafka are {@link #withAdmin}'s. */
    private interface AdminWork {
        int run(Admin admin) throws ExecutionException, InterruptedException, TimeoutException;
    }

    /** Runs {@code work} with an admin client, and turns Kafka not answering into exit code 2 with the fix. */
    private static int withAdmin(CommandSpec spec, KafkaOptions kafka, String action, AdminWork work) {
        try (Admin admin = admin(kafka)) {
            return work.run(admin);
        } catch (ExecutionException e) {
            return unavailable(spec, kafka, action, e.getCause());
        } catch (TimeoutException | KafkaException e) {
            return unavailable(spec, kafka, action, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable(spec, kafka, action, e);
        }
    }

    private static int unavailable(CommandSpec spec, KafkaOptions kafka, String action, Throwable cause) {
        spec.commandLine().getErr().println("topics " + action + ": Kafka at " + kafka.bootstrapServers + " did not answer within "
                + Durations.format(kafka.timeout.toMillis()) + " or refused (" + cause.getMessage()
                + "); check --bootstrap-servers, that the brokers are up and that this user may describe and create topics");
        return ExitCodes.KAFKA_UNAVAILABLE;
    }
}
