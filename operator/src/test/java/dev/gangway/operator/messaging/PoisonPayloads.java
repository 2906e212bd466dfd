package dev.gangway.operator.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded poison for a channel: the bytes a broken or hostile producer might put on a topic, derived from one valid
 * message. Structural mutations (fields dropped, renamed, retyped, added; hostile strings and numbers) and byte-level
 * ones (truncation, flipped bytes, invalid UTF-8, deep nesting, huge values, duplicate keys, non-JSON). Pure. Public for
 * KafkaMessagingE2eTest, which puts the same poison on a real broker's topics.
 */
public final class PoisonPayloads {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] HOSTILE_STRINGS = {
      "", " ", "../..", "..", "a/b", "%2e%2e%2f", "ml?watch=true", "ml#x", "UPPER", "-lead", "trail-", "a..b", "\u0000", "\u202eevil",
      "\uff4d\uff4c", "m\u0301l", "\ud83d\ude80", "\uFEFFml", "null", "true", "1", "{}", "${jndi:ldap://x/a}", "'; DROP TABLE jobs; --",
      "\\", "\n", "line1\nline2", "s3://bucket/../../etc/passwd", "/ckpt/../../../etc/shadow", "file:///etc/passwd"};
  private static final String[] RAW_NUMBERS = {
      "1e400", "-1e400", "99999999999999999999999999", "-0", "0.0", "1.0", "2.5", "NaN", "Infinity", "0x10", "007", "+1",
      "9223372036854775807", "9223372036854775808", "-9223372036854775808", "2147483648", "-2147483649"};

  private final Random random;
  private final ObjectNode valid;

  /** @param valid a message the consumer accepts */
  public PoisonPayloads(long seed, String valid) {
    this.random = new Random(seed);
    try {
      this.valid = (ObjectNode) JSON.readTree(valid);
    } catch (Exception e) {
      throw new IllegalArgumentException("not a JSON object: " + valid, e);
    }
  }

  /** The next poison message, as bytes on the topic. */
  public byte[] next() {
    int kind = random.nextInt(10);
    if (kind < 6) {
      ObjectNode mutated = valid.deepCopy();
      int mutations = 1 + random.nextInt(3);
      for (int i = 0; i < mutations; i++) {
        mutate(mutated);
      }
      byte[] bytes = utf8(mutated.toString());
      return random.nextInt(4) == 0 ? corrupt(bytes) : bytes;
    }
    if (kind < 8) {
      return corrupt(utf8(valid.toString()));
    }
    return wholesale();
  }

  private void mutate(ObjectNode message) {
    List<String> fields = new ArrayList<>();
    message.fieldNames().forEachRemaining(fields::add);
    String field = fields.isEmpty() ? "x" : fields.get(random.nextInt(fields.size()));
    switch (random.nextInt(6)) {
      case 0 -> message.remove(field);
      case 1 -> message.set(field, anyValue(0));
      case 2 -> message.put(field, HOSTILE_STRINGS[random.nextInt(HOSTILE_STRINGS.length)]);
      case 3 -> message.set(random.nextBoolean() ? "unknown-" + random.nextInt(100) : field.toUpperCase(), anyValue(0));
      case 4 -> {
        JsonNode value = message.remove(field);
        message.set(Character.toUpperCase(field.charAt(0)) + field.substring(1), value);
      }
      default -> message.put(field, longString(1 + random.nextInt(70_000)));
    }
  }

  private JsonNode anyValue(int depth) {
    return switch (random.nextInt(depth > 2 ? 7 : 9)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(random.nextBoolean());
      case 2 -> NODES.numberNode(new long[] {0, -1, 1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE}[random.nextInt(8)]);
      case 3 -> NODES.numberNode(new BigInteger(80, random).negate());
      case 4 -> NODES.numberNode(random.nextDouble() * 1e6 - 5e5);
      case 5 -> NODES.textNode(HOSTILE_STRINGS[random.nextInt(HOSTILE_STRINGS.length)]);
      case 6 -> NODES.textNode(longString(random.nextInt(300)));
      case 7 -> NODES.arrayNode().add(anyValue(depth + 1)).add(anyValue(depth + 1));
      default -> NODES.objectNode().set("nested", anyValue(depth + 1));
    };
  }

  private byte[] corrupt(byte[] bytes) {
    switch (random.nextInt(7)) {
      case 0 -> {
        return Arrays.copyOf(bytes, random.nextInt(Math.max(1, bytes.length)));
      }
      case 1 -> {
        byte[] flipped = bytes.clone();
        for (int i = 0; i < 1 + random.nextInt(4) && flipped.length > 0; i++) {
          flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
        }
        return flipped;
      }
      case 2 -> {
        // Invalid UTF-8: a lone continuation byte, an overlong encoding, a byte that never occurs.
        byte[][] invalid = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
        return splice(bytes, invalid[random.nextInt(invalid.length)]);
      }
      case 3 -> {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String number = RAW_NUMBERS[random.nextInt(RAW_NUMBERS.length)];
        return utf8(text.replaceFirst(":(\\d+)", ":" + number.replace("$", "\\$")));
      }
      case 4 -> {
        String text = new String(bytes, StandardCharsets.UTF_8);
        // A duplicate key: which one wins is the parser's choice, and neither may crash the consumer.
        return utf8(text.replaceFirst("\\{", "{\"step\":\"twice\",\"node\":7,"));
      }
      case 5 -> {
        return utf8("\uFEFF" + new String(bytes, StandardCharsets.UTF_8));
      }
      default -> {
        return splice(bytes, utf8(" , ] } \" "));
      }
    }
  }

  private byte[] wholesale() {
    return switch (random.nextInt(12)) {
      case 0 -> new byte[0];
      case 1 -> utf8("null");
      case 2 -> utf8("[]");
      case 3 -> utf8("\"just a string\"");
      case 4 -> utf8("42");
      case 5 -> utf8("[".repeat(100_000));
      case 6 -> utf8("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000));
      case 7 -> utf8("{\"path\":\"" + longString(1_000_000) + "\"}");
      case 8 -> {
        byte[] noise = new byte[random.nextInt(2048)];
        random.nextBytes(noise);
        yield noise;
      }
      case 9 -> utf8(valid.toString() + valid);
      case 10 -> utf8("{\"namespace\":\"ml\"} trailing garbage");
      default -> utf8(new String(utf8(valid.toString()), StandardCharsets.UTF_16));
    };
  }

  private String longString(int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = (char) ('a' + random.nextInt(26));
    }
    return new String(chars);
  }

  private byte[] splice(byte[] bytes, byte[] inserted) {
    int at = random.nextInt(bytes.length + 1);
    byte[] out = new byte[bytes.length + inserted.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
    return out;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
