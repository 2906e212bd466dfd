package dev.gangway.decide;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Rank pods an admission plugin refused at creation for a reason Gangway neither judges ahead nor treats as the spec's
 * fault: a webhook's denial, a ServiceAccount that does not exist, a LimitRange created after the decision. The gang is not
 * left half created, holding GPUs it cannot use, nor does its decision keep its nodes while each create is refused: the
 * pods created are deleted ({@link #rollingBack}) and the gang waits, holding nothing, until a retry time that doubles with
 * each refusal in a row ({@link #waiting}), since what refused it is usually fixed by a person without touching the job.
 *
 * <p>Kept in the leader's memory: a new leader tries again at once.
 */
final class AdmissionRefusals {
  static final Duration FIRST_RETRY = Duration.ofSeconds(10);
  static final Duration LONGEST_RETRY = Duration.ofMinutes(5);

  /**
   * The last refusal of a job (what was refused: "a rank pod", "the job's Service"; the server's words), how many came in
   * a row, the attempt whose pods are still to be deleted (null once none is left), and whether the decision it ended has
   * been reported.
   */
  record Refusal(String object, String message, int inARow, Instant retryAt, Integer rollingBack, boolean reported) {
  }

  private final Map<String, Refusal> byJob = new HashMap<>();

  /** An object this attempt needs ({@code object}: "a rank pod", "the job's Service") was refused at {@code now} with the server's message. */
  synchronized Refusal refused(String jobKey, int attempt, String object, String message, Instant now) {
    Refusal before = byJob.get(jobKey);
    int inARow = before == null ? 1 : before.inARow() + 1;
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(inARow - 1, 10));
    Refusal refusal = new Refusal(object, message, inARow, now.plus(wait.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : wait), attempt, false);
    byJob.put(jobKey, refusal);
    return refusal;
  }

  /** The refusal whose created pods of this attempt are still to be deleted, if any. */
  synchronized Optional<Refusal> rollingBack(String jobKey, int attempt) {
    Refusal r = byJob.get(jobKey);
    return r != null && r.rollingBack() != null && r.rollingBack() == attempt ? Optional.of(r) : Optional.empty();
  }

  /** The decision the refusal ended has been reported (a Placed=False condition, a Warning event). */
  synchronized void reported(String jobKey) {
    byJob.computeIfPresent(jobKey, (k, r) -> new Refusal(r.object(), r.message(), r.inARow(), r.retryAt(), r.rollingBack(), true));
  }

  /** No pod of the refused attempt is left. */
  synchronized void rolledBack(String jobKey) {
    byJob.computeIfPresent(jobKey, (k, r) -> new Refusal(r.object(), r.message(), r.inARow(), r.retryAt(), null, r.reported()));
  }

  /** The refusal the gang still waits out at {@code now}, if any. */
  synchronized Optional<Refusal> waiting(String jobKey, Instant now) {
    Refusal r = byJob.get(jobKey);
    return r != null && now.isBefore(r.retryAt()) ? Optional.of(r) : Optional.empty();
  }

  /** The job's spec changed (its template fixed, say): the wait is over, the next decision tries again. */
  synchronized void retryNow(String jobKey, Instant now) {
    byJob.computeIfPresent(jobKey, (k, r) -> now.isBefore(r.retryAt())
        ? new Refusal(r.object(), r.message(), r.inARow(), now, r.rollingBack(), r.reported()) : r);
  }

  /** Every rank pod of the gang exists: the refusals in a row are over. */
  synchronized void admitted(String jobKey) {
    byJob.remove(jobKey);
  }

  synchronized void forget(String jobKey) {
    byJob.remove(jobKey);
  }

  /** Drops the refusals of jobs for which {@code exists} is false. */
  synchronized void retain(Predicate<String> exists) {
    byJob.keySet().removeIf(exists.negate());
  }
}
