package io.allidb.operator.keys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's own admin API key for one cluster: what lets it call the nodes' admin API
 * (GrpcNodeAdmin) on a fresh cluster without a manual step. Its presented form lives only in the
 * {@code <cluster>-operator-admin} Secret (key {@code api-key}); the node key set gets its hash
 * with scope {@value #SCOPES} under tenant {@value #TENANT}. Lines with that scope belong to this
 * class, never to the tenant planner.
 *
 * <p>A key already in the Secret is kept (an administrator may have put one there); one is minted
 * when there is none. Rotation: delete the Secret; the next reconcile mints a new key, and the
 * previous line stays accepted for {@link KeyRotationPlanner#DEFAULT_OVERLAP} so a reconcile in
 * flight is not cut off. Unlike tenant keys there is no pending stage: the operator is the key's
 * only user, and until the nodes have loaded the new key set its admin calls fail with {@code
 * UNAUTHENTICATED} and are retried at the next reconcile.
 */
final class OperatorAdminKey {
  static final String TENANT = "allidb-operator";
  static final String SCOPES = "admin";

  private OperatorAdminKey() {}

  /**
   * @param key the key to use and write to the Secret
   * @param lines the admin lines of the node key set
   * @param changes one line per change, key ids only
   */
  record Plan(String key, List<KeyLine> lines, List<String> changes) {}

  static boolean owns(KeyLine line) {
    return SCOPES.equals(line.scopes());
  }

  /**
   * @param stored the key set's admin lines
   * @param inSecret the Secret's key, or null
   */
  static Plan plan(List<KeyLine> stored, String inSecret, Instant now) {
    var changes = new ArrayList<String>();
    var key = inSecret;
    if (key == null) {
      key = ApiKeyMinter.mint(TENANT, now);
      changes.add("operator admin key " + TenantKeys.idOf(key) + " minted");
    }
    var id = TenantKeys.idOf(key);
    var lines = new ArrayList<KeyLine>();
    boolean present = false;
    for (var line : stored) {
      if (line.id().equals(id)) {
        present = true;
        lines.add(line);
      } else if (line.expires() == null) {
        var until = now.plus(KeyRotationPlanner.DEFAULT_OVERLAP);
        lines.add(line.withExpires(until));
        changes.add("previous operator admin key " + line.id() + " accepted until " + until);
      } else if (now.isBefore(line.expires())) {
        lines.add(line);
      } else {
        changes.add(
            "operator admin key " + line.id() + " removed (expired " + line.expires() + ")");
      }
    }
    if (!present) {
      lines.add(0, KeyLine.of(key, TENANT, SCOPES, null));
      changes.add("operator admin key " + id + " added to the node key set");
    }
    return new Plan(key, lines, List.copyOf(changes));
  }
}
