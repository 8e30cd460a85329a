package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded broker on its own ({@code java -cp ... io.guestguard.deploy.kafka.Main [LOG_DIR]}),
 * or creates GuestGuard's topics on an existing cluster ({@code ... Main --create-topics BOOTSTRAP
 * [PARTITIONS] [REPLICATION]}).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        Topics topics = new Topics(System.getProperty("guestguard.topic-prefix", Topics.DEFAULT_PREFIX));
        if (args.length > 0 && args[0].equals("--create-topics")) {
            if (args.length < 2) {
                System.err.println("usage: --create-topics BOOTSTRAP_SERVERS [PARTITIONS] [REPLICATION_FACTOR]");
                System.exit(2);
            }
            int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 12;
            short replication = args.length > 3 ? Short.parseShort(args[3]) : 3;
            System.out.println("created: " + TopicCreator.create(args[1], topics, partitions, replication));
            return;
        }
        EmbeddedKafka kafka = args.length > 0
                ? EmbeddedKafka.start(Path.of(args[0]), false, topics, 3)
                : EmbeddedKafka.startTemporary(topics, 3);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }));
        System.out.println("kafka " + kafka.bootstrapServers() + " log " + kafka.logDir());
        stopped.await();
    }
}
