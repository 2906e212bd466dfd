package dev.gangway.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A benchmark's raw output: one tab-separated line per sample, written as it is taken so a run cut short
 * still leaves what it measured. Commit it beside bench/README.md's figures.
 */
public final class SampleFile {
  private final Path file;

  private SampleFile(Path file) {
    this.file = file;
  }

  /** A new file (replacing one of the same name) whose first lines are the comments and the column names. */
  public static SampleFile create(Path file, String comment, String... columns) {
    try {
      Files.createDirectories(file.getParent());
      String head = comment.lines().map(l -> "# " + l + "\n").collect(Collectors.joining()) + String.join("\t", columns) + "\n";
      Files.writeString(file, head, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SampleFile(file);
  }

  /** Appends one sample; doubles are written with three decimals. */
  public synchronized void row(Object... values) {
    String line = Arrays.stream(values).map(v -> v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(v))
        .collect(Collectors.joining("\t")) + "\n";
    try {
      Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path path() {
    return file;
  }
}
