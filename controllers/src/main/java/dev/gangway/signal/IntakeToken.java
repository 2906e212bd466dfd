package dev.gangway.signal;

/**
 * The credential a check-in over HTTP carries: a projected ServiceAccount token whose audience is
 * Gangway's, so a token meant for the API server (or anything else) is not accepted, and a token
 * Gangway receives cannot be replayed against the API server. Gangway mounts one into every rank pod
 * (bound to that pod); a health agent gets one with {@code kubectl create token --audience} or its
 * own projected volume.
 */
public final class IntakeToken {
  /** The audience the token must be issued for (TokenReview checks it). */
  public static final String AUDIENCE = "gangway.dev/intake";
  /** Where a rank pod finds its token: the projected volume's mount path and file. */
  public static final String MOUNT_PATH = "/var/run/secrets/gangway.dev/intake";
  public static final String FILE = MOUNT_PATH + "/token";
  /** Environment variable naming {@link #FILE} in every rank container. */
  public static final String FILE_ENV = "GANGWAY_TOKEN_FILE";
  /** The kubelet rotates the token well before it expires; an hour is the usual lifetime. */
  public static final long EXPIRATION_SECONDS = 3600;

  private IntakeToken() {
  }

  /**
   * The token in an {@code Authorization} header value.
   *
   * @return null when the header is absent, not a Bearer credential, or empty
   */
  public static String fromAuthorizationHeader(String header) {
    if (header == null) {
      return null;
    }
    String value = header.strip();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = value.substring(7).strip();
    return token.isEmpty() ? null : token;
  }
}
