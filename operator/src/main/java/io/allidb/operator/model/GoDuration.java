package io.allidb.operator.model;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Go duration strings as Kubernetes users write them ({@code 2160h}, {@code 90m}, {@code 1h30m},
 * {@code 45s}); days are not a Go unit and are refused like Go refuses them.
 */
public final class GoDuration {
  private static final Pattern WHOLE = Pattern.compile("^(\\d+(h|ms|m|s))+$");
  private static final Pattern PART = Pattern.compile("(\\d+)(h|ms|m|s)");

  private GoDuration() {}

  /**
   * Parses {@code value}.
   *
   * @param field names the spec field in the error
   * @throws IllegalArgumentException naming the field, the value and the expected form
   */
  public static Duration parse(String value, String field) {
    if (value == null || !WHOLE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field + " must be a Go duration such as 720h or 1h30m; got '" + value + "'");
    }
    var total = Duration.ZERO;
    var m = PART.matcher(value);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          switch (m.group(2)) {
            case "h" -> total.plusHours(n);
            case "m" -> total.plusMinutes(n);
            case "s" -> total.plusSeconds(n);
            default -> total.plusMillis(n);
          };
    }
    if (total.isZero()) {
      throw new IllegalArgumentException(field + " must be positive; got '" + value + "'");
    }
    return total;
  }

  /** {@code value} parsed, or {@code fallback} when it is null. */
  public static Duration parseOr(String value, String field, Duration fallback) {
    return value == null ? fallback : parse(value, field);
  }

  /** A short human form for status messages: {@code 41d3h}, {@code 5h12m}, {@code 40s}. */
  public static String human(Duration d) {
    if (d.isNegative()) {
      return "-" + human(d.negated());
    }
    long days = d.toDays();
    if (days > 0) {
      return days + "d" + d.toHoursPart() + "h";
    }
    if (d.toHours() > 0) {
      return d.toHours() + "h" + d.toMinutesPart() + "m";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }
    return d.toSeconds() + "s";
  }
}
