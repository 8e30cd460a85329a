package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded broker on its own ({@code java -cp ... io.guestguard.deploy.kafka.Main [LOG_DIR]}).
 * GuestGuard's topics on an existing cluster are created and checked with {@code guestguard topics
 * create|check}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        Topics topics = new Topics(System.getProperty("guestguard.topic-prefix", Topics.DEFAULT_PREFIX));
        if (args.length > 0 && args[0].startsWith("--")) {
            System.err.println("usage: Main [LOG_DIR]  (topics on an existing cluster: guestguard topics create|check)");
            System.exit(64);
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
