package dev.gangway.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) run from the Kafka
 * jars on the test classpath as its own JVM, as {@code kafka-server-start.sh} runs it. Listens on
 * 127.0.0.1 on two free ports; its data, configuration and log stay in {@code dir} (under target/)
 * so a failed run can be read afterwards. Stopped through its Process handle.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final int port;
  private final Path dir;
  private final Path log;
  private final Thread shutdownHook;
  private Duration startTime;

  private KafkaBroker(Process process, int port, Path dir, Path log) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.log = log;
    // Last resort if the test JVM is stopped before close() (e.g. Ctrl-C): never leave a broker behind.
    this.shutdownHook = ChildProcess.killOnExit(process);
  }

  /**
   * Formats a fresh storage directory with the KRaft storage tool, starts the broker and waits until
   * it answers a metadata request.
   *
   * @param dir emptied first; holds server.properties, data/ and broker.log
   * @throws IllegalStateException with the log's path and tail when the broker does not come up
   */
  public static KafkaBroker start(Path dir) {
    Instant begin = Instant.now();
    deleteRecursively(dir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int port = ChildProcess.freeLoopbackPort();
    int controllerPort = ChildProcess.freeLoopbackPort();
    while (controllerPort == port) {
      controllerPort = ChildProcess.freeLoopbackPort();
    }
    Path config = dir.resolve("server.properties");
    Path log = dir.resolve("broker.log");
    write(config, serverProperties(port, controllerPort, dir.resolve("data")));

    // kafka-storage.sh format: writes meta.properties and the bootstrap metadata into log.dirs.
    Command.Result format = Command.run(Map.of(), dir, Duration.ofMinutes(2), null,
        java(List.of("kafka.tools.StorageTool", "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString())));
    write(dir.resolve("format.log"), format.stdout() + format.stderr());
    if (format.exitCode() != 0) {
      throw new IllegalStateException("formatting the Kafka storage failed (exit " + format.exitCode() + "), see "
          + dir.resolve("format.log") + ":\n" + format.stdout() + format.stderr());
    }

    List<String> command = java(List.of("kafka.Kafka", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process process;
    try {
      process = pb.start();
      write(dir.resolve("broker.pid"), Long.toString(process.pid()));
    } catch (IOException e) {
      throw new IllegalStateException("could not start the Kafka broker: " + e.getMessage(), e);
    }
    KafkaBroker broker = new KafkaBroker(process, port, dir, log);
    try {
      broker.awaitReady(begin.plus(START_TIMEOUT));
    } catch (RuntimeException | Error e) {
      broker.close();
      throw e;
    }
    broker.startTime = Duration.between(begin, Instant.now());
    write(dir.resolve("start-time.txt"), broker.startTime.toMillis() + " ms\n");
    return broker;
  }

  private static String serverProperties(int port, int controllerPort, Path data) {
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + data,
        // One node, small and fast: single-partition internal topics, no rebalance delay, few threads.
        "num.partitions=1",
        "default.replication.factor=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "num.network.threads=2",
        "num.io.threads=2",
        "auto.create.topics.enable=true",
        "");
  }

  /** A JVM on the test's own classpath (which holds kafka_2.13 and its dependencies). */
  private static List<String> java(List<String> mainAndArgs) {
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(entry -> !entry.isBlank()).collect(Collectors.joining(java.io.File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-cp", classpath));
    command.addAll(mainAndArgs);
    return command;
  }

  private void awaitReady(Instant deadline) {
    String lastError = "no answer yet";
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + "; see " + log + ":\n" + tail());
      }
      try (Admin admin = admin()) {
        int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
        if (nodes == 1) {
          return;
        }
        lastError = nodes + " nodes";
      } catch (Exception e) {
        lastError = e.toString();
      }
      sleep(300);
    }
    throw new IllegalStateException("the Kafka broker on 127.0.0.1:" + port + " did not come up within " + START_TIMEOUT.toSeconds()
        + " s (" + lastError + "); see " + log + ":\n" + tail());
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** From wiping the directory to the broker answering metadata requests. */
  public Duration startTime() {
    return startTime;
  }

  public Path log() {
    return log;
  }

  public Path dir() {
    return dir;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Creates the topics (one partition each, as the channels need: one job's messages stay in order). */
  public void createTopics(String... topics) {
    try (Admin admin = admin()) {
      admin.createTopics(Stream.of(topics).map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not create topics " + List.of(topics) + ": " + e + "; see " + log, e);
    }
  }

  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    return Admin.create(p);
  }

  public KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /** A producer of raw bytes, for records no String serializer would write (invalid UTF-8, noise, null keys). */
  public KafkaProducer<byte[], byte[]> bytesProducer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A consumer without a group, for {@code assign}: reads what is on a topic without taking part in anyone's group. */
  public KafkaConsumer<String, String> consumer() {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  /** The last lines of the broker's log, for failure messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM (a controlled shutdown), then SIGKILL after 20 s. */
  @Override
  public void close() {
    ChildProcess.stop(process, Duration.ofSeconds(20), shutdownHook);
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not empty " + dir, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
