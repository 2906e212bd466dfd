package dev.gangway.checkin;

/**
 * What became of a check-in (checkpoint report or node-health signal), as an HTTP status and a
 * message a person can act on. The HTTP door answers with it; the channel consumers acknowledge a
 * message unless the answer is {@link #retryable()}.
 */
public record IntakeAnswer(int status, String message) {

  public static IntakeAnswer ok(String message) {
    return new IntakeAnswer(200, message);
  }

  /** The request carries no valid credential: send it with a token for Gangway's audience. */
  public static IntakeAnswer unauthorized(String message) {
    return new IntakeAnswer(401, message);
  }

  /** The caller is known but may not send this check-in. */
  public static IntakeAnswer forbidden(String message) {
    return new IntakeAnswer(403, message);
  }

  public static IntakeAnswer notFound(String message) {
    return new IntakeAnswer(404, message);
  }

  public static IntakeAnswer conflict(String message) {
    return new IntakeAnswer(409, message);
  }

  /** Nothing was recorded, and the sender should try again shortly. */
  public static IntakeAnswer unavailable(String message) {
    return new IntakeAnswer(503, message);
  }

  /**
   * The API server failed a write of the check-in: a refusal of the write itself (400, 404, 413, 422: e.g. an object
   * grown over its size limit) is final, since the same write would be refused again and a channel retrying it would
   * stop every later message; anything else (401, 403, 409, 429, 5xx, no answer) may pass later and is retryable.
   */
  public static IntakeAnswer apiServerFailure(int code, String message) {
    return switch (code) {
      case 400, 404, 413, 422 -> new IntakeAnswer(422, "refused by the API server (" + code + "): " + message);
      default -> unavailable(message);
    };
  }

  public boolean recorded() {
    return status / 100 == 2;
  }

  public boolean retryable() {
    return status >= 500;
  }
}
