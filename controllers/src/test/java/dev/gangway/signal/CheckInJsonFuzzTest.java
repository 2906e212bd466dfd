package dev.gangway.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.health.NodeHealthSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the check-in JSON readers (HTTP bodies and channel messages alike): mutations of
 * valid messages — truncation, flipped and inserted characters, fields swapped for values of other
 * types, huge and negative numbers, unicode, nesting, duplicates. Each input is either read or
 * refused with an {@link IllegalArgumentException} whose message names what is wrong (the door's
 * 400); nothing else escapes. Bounded in count; the seed is printed so a failure can be replayed.
 */
class CheckInJsonFuzzTest {
  private static final int INPUTS = 5_000;
  private static final long SEED = Long.getLong("gangway.fuzz.seed", 20261202L);
  private static final String REPORT = """
      {"namespace":"ml","name":"llm","uid":"0b6e-11","attempt":2,"step":1200,"path":"/ckpt/step-1200","time":"2026-11-02T10:00:00Z"}""";
  private static final String SIGNAL = """
      {"node":"gpu-17","severity":"Fatal","reason":"XID 79","time":"2026-11-02T10:00:00Z"}""";
  private static final String[] VALUES = {"null", "true", "-1", "0", "1e309", "-9223372036854775809", "9223372036854775808", "1.5",
      "\"\"", "\" \"", "\"\\u0000\"", "\"../../etc/passwd\"", "\"\u00e9\u4e2d\ud83d\ude80\"", "\"\\ud800\"", "[]", "{}", "[1,2]",
      "{\"a\":{\"b\":[]}}", "\"2026-13-45T99:00:00Z\"", "\"Fatal\"", "\"fatal\"", "2147483648", "\"" + "x".repeat(5000) + "\""};
  private static final String[] FIELDS = {"namespace", "name", "uid", "attempt", "step", "path", "time", "node", "severity", "reason"};

  @Test
  void checkpointReportsAreReadOrRefusedWithAReason() {
    assertReadOrRefused("checkpoint report", REPORT, CheckpointReport::fromJson);
  }

  @Test
  void nodeHealthSignalsAreReadOrRefusedWithAReason() {
    assertReadOrRefused("node-health signal", SIGNAL, NodeHealthSignal::fromJson);
  }

  private static void assertReadOrRefused(String what, String valid, Function<String, ?> read) {
    Random random = new Random(SEED);
    int accepted = 0;
    int refused = 0;
    List<String> escaped = new ArrayList<>();
    for (int i = 0; i < INPUTS; i++) {
      String input = mutate(valid, random);
      try {
        assertThat(read.apply(input)).isNotNull();
        accepted++;
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).as("refusal of %s", input).isNotBlank();
        refused++;
      } catch (RuntimeException | StackOverflowError e) {
        escaped.add(e + " <- " + abbreviate(input));
      }
    }
    System.out.printf("[fuzz] %s: seed %d, tried %d, read %d, refused %d, escaped %d%n", what, SEED, INPUTS, accepted, refused, escaped.size());
    assertThat(escaped).as("exceptions other than a refusal (seed %d)", SEED).isEmpty();
    assertThat(accepted).as("some mutations stay valid").isPositive();
    assertThat(refused).as("most mutations are refused").isGreaterThan(accepted);
  }

  /** One to three mutations of the message. */
  static String mutate(String json, Random random) {
    String s = json;
    int rounds = 1 + random.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      s = switch (random.nextInt(9)) {
        case 0 -> s.substring(0, random.nextInt(s.length() + 1));
        case 1 -> flip(s, random);
        case 2 -> insert(s, random, String.valueOf((char) random.nextInt(0x3000)));
        case 3 -> replaceValue(s, random, VALUES[random.nextInt(VALUES.length)]);
        case 4 -> s.replaceFirst("\"" + FIELDS[random.nextInt(FIELDS.length)] + "\":[^,}]*,?", "");
        case 5 -> "[" + s + "]";
        case 6 -> s.replaceFirst("\\{", "{\"" + FIELDS[random.nextInt(FIELDS.length)] + "\":" + VALUES[random.nextInt(VALUES.length)] + ",");
        case 7 -> "{".repeat(random.nextInt(2000)) + s;
        default -> s + VALUES[random.nextInt(VALUES.length)];
      };
      if (s.isEmpty()) {
        break;
      }
    }
    return s;
  }

  private static String flip(String s, Random random) {
    if (s.isEmpty()) {
      return s;
    }
    char[] chars = s.toCharArray();
    int at = random.nextInt(chars.length);
    chars[at] = (char) (chars[at] ^ (1 << random.nextInt(7)));
    return new String(chars);
  }

  private static String insert(String s, Random random, String what) {
    int at = random.nextInt(s.length() + 1);
    return s.substring(0, at) + what + s.substring(at);
  }

  /** Replaces the value of one field (whatever its type) by another JSON value. */
  private static String replaceValue(String s, Random random, String value) {
    String field = FIELDS[random.nextInt(FIELDS.length)];
    return s.replaceFirst("(\"" + field + "\":)(\"[^\"]*\"|[^,}]*)", "$1" + java.util.regex.Matcher.quoteReplacement(value));
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "… (" + s.length() + " chars)";
  }
}
