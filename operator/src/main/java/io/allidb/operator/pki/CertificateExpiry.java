package io.allidb.operator.pki;

import io.allidb.operator.model.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns certificate validity into what an on-call engineer sees: the {@code CertificatesValid}
 * condition, Warning events at thresholds, and the seconds left per certificate for the {@code
 * allidb_certificate_expiry_seconds} gauge. Pure.
 */
public final class CertificateExpiry {
  /** Warning thresholds, largest first. Operator-issued leaves renew long before the first. */
  public static final List<Duration> THRESHOLDS =
      List.of(Duration.ofDays(14), Duration.ofDays(7), Duration.ofDays(1));

  private CertificateExpiry() {}

  /** One certificate by a stable name ({@code internode/ca}, {@code client/db-a-0}, ...). */
  public record Tracked(String name, Instant notAfter) {
    public Duration left(Instant now) {
      return Duration.between(now, notAfter);
    }
  }

  /** A Warning event to emit; {@code reason} is CertificateExpiring or CertificateExpired. */
  public record Warning(String reason, String certificate, String message) {}

  /**
   * The condition and events.
   *
   * @param valid the condition's status
   * @param reason Valid, Expired, Invalid or ExpiringSoon (still True: renewal still has time)
   */
  public record Report(boolean valid, String reason, String message, List<Warning> warnings) {}

  public static Report report(List<Tracked> certificates, List<String> problems, Instant now) {
    var warnings = new ArrayList<Warning>();
    Tracked earliest =
        certificates.stream().min(Comparator.comparing(Tracked::notAfter)).orElse(null);
    var expired = certificates.stream().filter(c -> !now.isBefore(c.notAfter())).toList();
    for (var c : certificates) {
      var left = c.left(now);
      if (left.isNegative() || left.isZero()) {
        warnings.add(
            new Warning(
                "CertificateExpired",
                c.name(),
                "certificate "
                    + c.name()
                    + " expired at "
                    + c.notAfter()
                    + "; see docs/operations.md, Certificates have expired"));
      } else {
        THRESHOLDS.stream()
            .filter(t -> left.compareTo(t) < 0)
            .reduce((a, b) -> b)
            .ifPresent(
                t ->
                    warnings.add(
                        new Warning(
                            "CertificateExpiring",
                            c.name(),
                            "certificate "
                                + c.name()
                                + " expires in "
                                + GoDuration.human(left)
                                + " (under "
                                + t.toDays()
                                + "d) at "
                                + c.notAfter())));
      }
    }
    if (!problems.isEmpty()) {
      return new Report(false, "Invalid", String.join("; ", problems), warnings);
    }
    if (!expired.isEmpty()) {
      return new Report(
          false,
          "Expired",
          expired.size()
              + " certificate(s) expired, first "
              + expired.get(0).name()
              + " at "
              + expired.get(0).notAfter(),
          warnings);
    }
    if (earliest == null) {
      return new Report(true, "NoCertificates", "TLS is disabled", warnings);
    }
    var left = earliest.left(now);
    var message =
        "earliest expiry: "
            + earliest.name()
            + " in "
            + GoDuration.human(left)
            + " ("
            + earliest.notAfter()
            + ")";
    return new Report(
        true, left.compareTo(THRESHOLDS.get(0)) < 0 ? "ExpiringSoon" : "Valid", message, warnings);
  }
}
