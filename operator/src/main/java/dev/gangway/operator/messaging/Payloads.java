package dev.gangway.operator.messaging;

/** Shortens message payloads for log lines: a bad message is logged, not dumped. */
final class Payloads {
  private static final int MAX = 300;

  private Payloads() {
  }

  static String abbreviate(String payload) {
    if (payload == null) {
      return "<null>";
    }
    String oneLine = payload.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= MAX ? oneLine : oneLine.substring(0, MAX) + "… (" + payload.length() + " chars)";
  }
}
