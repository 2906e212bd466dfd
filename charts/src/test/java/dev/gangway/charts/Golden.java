package dev.gangway.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden files: the expected output lives in src/test/resources/golden/. Run with
 * {@code -Dgangway.updateGolden=true} to rewrite them from the current chart, then review the git diff.
 */
final class Golden {

  static final boolean UPDATE = Boolean.getBoolean("gangway.updateGolden");
  private static final int CONTEXT = 3;

  private Golden() {}

  static void assertMatches(String goldenName, String actual) {
    Path file = Helm.GOLDEN_DIR.resolve(goldenName);
    String normalized = actual.replace("\r\n", "\n");
    try {
      if (UPDATE) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, normalized, StandardCharsets.UTF_8);
        return;
      }
      if (!Files.exists(file)) {
        throw new AssertionError("golden file " + file + " does not exist; create it with "
            + "`mvn -pl charts test -Dgangway.updateGolden=true` and review it before committing");
      }
      String expected = Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
      if (!expected.equals(normalized)) {
        throw new AssertionError("rendered chart differs from " + file + " (--- golden, +++ rendered).\n"
            + "If the change is intended, run `mvn -pl charts test -Dgangway.updateGolden=true` and commit the golden file.\n"
            + diff(expected, normalized));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A unified-style line diff with a few lines of context (LCS; rendered charts are a few hundred lines). */
  static String diff(String expected, String actual) {
    String[] a = expected.split("\n", -1);
    String[] b = actual.split("\n", -1);
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    // Edit script: ' ' same, '-' only in golden, '+' only in rendered; with golden line numbers.
    List<String> lines = new ArrayList<>();
    List<Integer> lineNo = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        lines.add("  " + a[i]);
        lineNo.add(++i);
        j++;
      } else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
        lines.add("- " + a[i]);
        lineNo.add(++i);
      } else {
        lines.add("+ " + b[j++]);
        lineNo.add(i);
      }
    }
    StringBuilder out = new StringBuilder();
    int lastPrinted = -1;
    for (int k = 0; k < lines.size(); k++) {
      if (lines.get(k).startsWith("  ")) {
        continue;
      }
      int from = Math.max(k - CONTEXT, lastPrinted + 1);
      if (from > lastPrinted + 1) {
        out.append("@@ golden line ").append(Math.max(1, lineNo.get(from))).append(" @@\n");
      }
      int to = k;
      // extend the hunk over following changes that are within 2*CONTEXT lines
      for (int m = k + 1; m < lines.size() && m <= to + 2 * CONTEXT; m++) {
        if (!lines.get(m).startsWith("  ")) {
          to = m;
        }
      }
      to = Math.min(lines.size() - 1, to + CONTEXT);
      for (int m = from; m <= to; m++) {
        out.append(lines.get(m)).append('\n');
      }
      lastPrinted = to;
      k = to;
    }
    return out.toString();
  }
}
