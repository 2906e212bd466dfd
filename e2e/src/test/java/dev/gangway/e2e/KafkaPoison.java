package dev.gangway.e2e;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.operator.messaging.PoisonPayloads;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Poison records for one Kafka topic: first records aimed at a real target (a running job, a node that runs it) that
 * only the operator's checks keep out (an unknown uid, a wrong attempt, a path or reason too long to store, wrong
 * types, truncated JSON, a tombstone, a null key, binary garbage), then seeded mutations ({@link PoisonPayloads}, as
 * ChannelPoisonFuzzTest uses them) of a message that names no target, so that none may change anything even where it
 * parses. Keys and values are bytes, as a producer of any language may send them.
 */
final class KafkaPoison {
  /** A record as it goes on the topic; either part may be null. */
  record Poison(byte[] key, byte[] value) {
  }

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private KafkaPoison() {
  }

  /**
   * @param report a checkpoint report the job would accept, except for its step, which is above the valid report
   *     the test sends afterwards (so a poison stored by mistake makes the valid one stale, and the test sees it)
   * @param foreign a report that names no job of the cluster, the base of the seeded mutations
   */
  static List<Poison> checkpoints(ObjectNode report, ObjectNode foreign, long seed, int seeded) {
    String uid = report.path("uid").asText();
    List<Poison> poison = new ArrayList<>();
    poison.add(text(uid, with(report, "uid", NODES.textNode("00000000-0000-0000-0000-000000000000"))));
    poison.add(text(uid, with(report, "attempt", NODES.numberNode(2))));
    poison.add(text(uid, with(report, "attempt", NODES.numberNode(0))));
    poison.add(text(uid, with(report, "path", NODES.textNode("/checkpoints/" + "x".repeat(200_000)))));
    poison.add(text(uid, with(report, "uid", NODES.textNode(uid + "x".repeat(500_000)))));
    poison.add(text(uid, with(report, "step", NODES.textNode("9000"))));
    poison.add(text(uid, with(report, "step", NODES.numberNode(1.5))));
    poison.add(text(uid, report.toString().replace("\"step\":9000", "\"step\":1e400")));
    poison.add(text(uid, with(report, "attempt", NODES.numberNode(1L << 40))));
    poison.add(text(uid, with(report, "namespace", NODES.textNode("../" + report.path("namespace").asText()))));
    poison.add(text(uid, with(report, "time", NODES.textNode("yesterday"))));
    poison.add(text(uid, report.toString().substring(0, report.toString().length() / 2)));
    poison.addAll(common(uid, report.toString(), seed));
    PoisonPayloads mutations = new PoisonPayloads(seed, foreign.toString());
    for (int i = 0; i < seeded; i++) {
      poison.add(new Poison(i % 7 == 0 ? null : utf8(uid), mutations.next()));
    }
    return poison;
  }

  /**
   * @param signal a Fatal signal for a node that runs a job, carrying a reason too long to keep on the Node
   * @param absent a Fatal signal for a node that does not exist, the base of the seeded mutations
   */
  static List<Poison> nodeHealth(ObjectNode signal, ObjectNode absent, long seed, int seeded) {
    String node = signal.path("node").asText();
    List<Poison> poison = new ArrayList<>();
    poison.add(text(node, signal.toString()));
    ObjectNode shortReason = with(signal, "reason", NODES.textNode("XID 79"));
    poison.add(text(node, with(shortReason, "severity", NODES.textNode("FATAL"))));
    poison.add(text(node, with(shortReason, "severity", NODES.numberNode(0))));
    poison.add(text(node, with(shortReason, "time", NODES.textNode("yesterday"))));
    poison.add(text(node, with(shortReason, "node", NODES.textNode(node.toUpperCase()))));
    poison.add(text(node, with(shortReason, "node", NODES.arrayNode().add(node))));
    poison.add(text(node, shortReason.toString().substring(0, shortReason.toString().length() - 2)));
    poison.addAll(common(node, shortReason.toString(), seed));
    PoisonPayloads mutations = new PoisonPayloads(seed, absent.toString());
    for (int i = 0; i < seeded; i++) {
      poison.add(new Poison(i % 7 == 0 ? null : utf8(node), mutations.next()));
    }
    return poison;
  }

  /** What any topic may get: a tombstone, no key, noise, the valid message in another encoding or twice. */
  private static List<Poison> common(String key, String valid, long seed) {
    Random random = new Random(seed);
    byte[] noise = new byte[4096];
    random.nextBytes(noise);
    byte[] invalidUtf8 = utf8(valid);
    invalidUtf8 = Arrays.copyOf(invalidUtf8, invalidUtf8.length + 2);
    invalidUtf8[invalidUtf8.length - 2] = (byte) 0xC0;
    invalidUtf8[invalidUtf8.length - 1] = (byte) 0xAF;
    return List.of(
        new Poison(utf8(key), null),
        new Poison(null, null),
        new Poison(null, utf8("not JSON at all")),
        new Poison(utf8(key), noise),
        new Poison(noise, utf8("{}")),
        new Poison(utf8(key), new byte[0]),
        new Poison(utf8(key), valid.getBytes(StandardCharsets.UTF_16)),
        new Poison(utf8(key), invalidUtf8),
        new Poison(utf8(key), utf8("[" + valid + "]")),
        new Poison(utf8(key), utf8(valid + valid)));
  }

  private static ObjectNode with(ObjectNode message, String field, com.fasterxml.jackson.databind.JsonNode value) {
    ObjectNode copy = message.deepCopy();
    copy.set(field, value);
    return copy;
  }

  private static Poison text(String key, ObjectNode value) {
    return text(key, value.toString());
  }

  private static Poison text(String key, String value) {
    return new Poison(utf8(key), utf8(value));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
