package io.allidb.dataplane.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What an API key may do. Each public RPC and REST route needs one scope ({@link ScopePolicy});
 * scopes do not imply each other, so a write-only ingestion key cannot read.
 */
public enum Scope {
  /** Get, query, scan. */
  READ,
  /** Put, batch put, delete. */
  WRITE,
  /** Node administration (reserved for the admin API) and any RPC without an explicit scope. */
  ADMIN;

  /** The lower-case name used in key files and flags. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a comma-separated list such as {@code read,write}.
   *
   * @throws IllegalArgumentException naming the unknown scope
   */
  public static Set<Scope> parseList(String csv) {
    var out = EnumSet.noneOf(Scope.class);
    for (String s : csv.split(",")) {
      String t = s.strip().toUpperCase(Locale.ROOT);
      if (t.isEmpty()) {
        continue;
      }
      try {
        out.add(Scope.valueOf(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown scope '" + s.strip() + "'; expected read, write or admin", e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("at least one scope (read, write, admin) is required");
    }
    return out;
  }

  /** The comma-separated labels of {@code scopes}, in declaration order. */
  public static String toList(Set<Scope> scopes) {
    return String.join(",", EnumSet.copyOf(scopes).stream().map(Scope::label).toList());
  }
}
