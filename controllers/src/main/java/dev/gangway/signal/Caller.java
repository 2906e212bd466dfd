package dev.gangway.signal;

import java.util.List;
import java.util.Map;

/**
 * Who sent a check-in, as the API server's TokenReview of its token says.
 *
 * @param authenticated whether the token is valid for Gangway's audience
 * @param refusal why it is not (from the review), when not authenticated
 * @param extra the review's extra attributes; a pod-bound ServiceAccount token carries
 *     {@value #POD_NAME} and {@value #POD_UID}
 */
public record Caller(boolean authenticated, String refusal, String username, String uid, List<String> groups,
                     Map<String, List<String>> extra) {
  public static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  public static final String POD_UID = "authentication.kubernetes.io/pod-uid";
  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  public Caller {
    groups = groups == null ? List.of() : List.copyOf(groups);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }

  public static Caller rejected(String refusal) {
    return new Caller(false, refusal, null, null, List.of(), Map.of());
  }

  public static Caller user(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
    return new Caller(true, null, username, uid, groups, extra);
  }

  /** The pod the token is bound to, or null when it is not a pod-bound ServiceAccount token. */
  public String podName() {
    return single(POD_NAME);
  }

  public String podUid() {
    return single(POD_UID);
  }

  /** Namespace of the ServiceAccount (and so of the pod it is bound to), or null for another kind of user. */
  public String serviceAccountNamespace() {
    if (username == null || !username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      return null;
    }
    String rest = username.substring(SERVICE_ACCOUNT_PREFIX.length());
    int colon = rest.indexOf(':');
    return colon <= 0 ? null : rest.substring(0, colon);
  }

  private String single(String key) {
    List<String> values = extra.get(key);
    return values == null || values.size() != 1 || values.get(0).isBlank() ? null : values.get(0);
  }
}
