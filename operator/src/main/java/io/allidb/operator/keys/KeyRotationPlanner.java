package io.allidb.operator.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides one reconcile's API-key changes. Pure apart from minting (random); the clock comes in as
 * {@code now}. Per tenant a key goes through:
 *
 * <ol>
 *   <li><b>pending</b>: minted, its hash added to the node key set; the key waits in the tenant
 *       Secret's {@value TenantKeys#PENDING} until every node reports the key-set generation that
 *       holds it, so no application ever sends a key a node does not know;
 *   <li><b>current</b>: moved to {@value TenantKeys#KEY} for applications; the previous key gets
 *       {@code expires=} at the end of the overlap, so nodes refuse it from then on by themselves;
 *   <li><b>removed</b>: its line leaves the key set once that instant has passed.
 * </ol>
 *
 * A new pending key is minted for a tenant without one, when the current key's rotation period has
 * passed (or two thirds of its lifetime when only a lifetime is set), or on a new rotation request.
 * Lines of tenants no longer in the spec are removed at once.
 */
public final class KeyRotationPlanner {
  /** Overlap when the spec does not imply one (lifetime minus rotation period). */
  public static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);

  private KeyRotationPlanner() {}

  /** A tenant's key policy; either duration may be null. */
  public record TenantPolicy(String name, Duration keyLifetime, Duration rotationPeriod) {
    /** How long the previous key stays accepted after a new one is published. */
    public Duration overlap() {
      if (keyLifetime != null && rotationPeriod != null) {
        return keyLifetime.minus(rotationPeriod);
      }
      return DEFAULT_OVERLAP;
    }

    Instant rotationDue(Instant issuedAt) {
      if (rotationPeriod != null) {
        return issuedAt.plus(rotationPeriod);
      }
      if (keyLifetime != null) {
        return issuedAt.plus(keyLifetime.multipliedBy(2).dividedBy(3));
      }
      return null;
    }

    Instant expiresFor(Instant issuedAt) {
      return keyLifetime == null ? null : issuedAt.plus(keyLifetime);
    }
  }

  public record Input(
      List<TenantPolicy> tenants,
      NodeKeySet keySet,
      Map<String, TenantKeys> tenantKeys,
      boolean nodesAcked,
      String rotationRequest,
      Instant now) {}

  /**
   * @param keySetChanged whether {@link #keySet} differs (its generation is then one higher)
   * @param changes one line per change, key ids only
   */
  public record Plan(
      NodeKeySet keySet,
      boolean keySetChanged,
      Map<String, TenantKeys> tenantKeys,
      List<String> changes) {}

  public static Plan plan(Input in) {
    var now = in.now();
    var changes = new ArrayList<String>();
    var stored = in.keySet();
    var storedIds = stored.lines().stream().map(KeyLine::id).collect(Collectors.toSet());
    var requested =
        in.rotationRequest() != null && !in.rotationRequest().equals(stored.handledRotation());
    var lines = new ArrayList<KeyLine>();
    var tenantKeys = new LinkedHashMap<String, TenantKeys>();
    var names = in.tenants().stream().map(TenantPolicy::name).collect(Collectors.toSet());

    for (var policy : in.tenants()) {
      var t = policy.name();
      var keys = in.tenantKeys().getOrDefault(t, TenantKeys.none());
      var mine = new LinkedHashMap<String, KeyLine>();
      stored.lines().stream().filter(l -> l.tenant().equals(t)).forEach(l -> mine.put(l.id(), l));

      if (keys.pending() != null) {
        var pendingId = TenantKeys.idOf(keys.pending());
        if (!mine.containsKey(pendingId)) {
          // the line was lost (Secret edited or recreated): add it again and wait once more
          mine.put(
              pendingId, KeyLine.of(keys.pending(), t, policy.expiresFor(keys.pendingIssuedAt())));
          changes.add(t + ": pending key " + pendingId + " re-added to the node key set");
        } else if (in.nodesAcked() && storedIds.contains(pendingId)) {
          var previous = keys.current();
          keys = new TenantKeys(keys.pending(), keys.pendingIssuedAt(), null, null);
          changes.add(
              t + ": every node has key " + pendingId + "; published it to the tenant Secret");
          if (previous != null) {
            var prevId = TenantKeys.idOf(previous);
            var line = mine.get(prevId);
            var until = now.plus(policy.overlap());
            if (line != null) {
              var expires =
                  line.expires() != null && line.expires().isBefore(until) ? line.expires() : until;
              mine.put(prevId, line.withExpires(expires));
              changes.add(t + ": previous key " + prevId + " accepted until " + expires);
            }
          }
        }
      } else if (keys.current() == null) {
        keys = mintPending(policy, keys, mine, now, changes, "first key");
      } else {
        var due =
            earlier(
                keys.currentIssuedAt() == null ? null : policy.rotationDue(keys.currentIssuedAt()),
                lineDue(mine.get(TenantKeys.idOf(keys.current())), keys.currentIssuedAt()));
        if (requested) {
          keys =
              mintPending(
                  policy,
                  keys,
                  mine,
                  now,
                  changes,
                  "rotation requested (" + in.rotationRequest() + ")");
        } else if (due != null && !now.isBefore(due)) {
          keys = mintPending(policy, keys, mine, now, changes, "rotation due");
        }
      }
      if (keys.current() != null && !mine.containsKey(TenantKeys.idOf(keys.current()))) {
        // applications use this key: a node key set without it would refuse them
        mine.put(
            TenantKeys.idOf(keys.current()),
            KeyLine.of(keys.current(), t, policy.expiresFor(keys.currentIssuedAt())));
        changes.add(
            t
                + ": current key "
                + TenantKeys.idOf(keys.current())
                + " re-added to the node key set");
      }
      var live = new java.util.HashSet<String>();
      live.add(TenantKeys.idOf(keys.current()));
      live.add(TenantKeys.idOf(keys.pending()));
      for (var line : List.copyOf(mine.values())) {
        if (live.contains(line.id())) {
          continue;
        }
        if (line.expires() == null) {
          // a key no Secret holds any more: give it the overlap rather than cut someone off
          mine.put(line.id(), line.withExpires(now.plus(policy.overlap())));
          changes.add(
              t
                  + ": key "
                  + line.id()
                  + " has no Secret; accepted until "
                  + now.plus(policy.overlap()));
        } else if (!now.isBefore(line.expires())) {
          mine.remove(line.id());
          changes.add(t + ": key " + line.id() + " removed (expired " + line.expires() + ")");
        }
      }
      lines.addAll(mine.values());
      tenantKeys.put(t, keys);
    }
    for (var line : stored.lines()) {
      if (!names.contains(line.tenant())) {
        changes.add(
            line.tenant() + ": key " + line.id() + " removed (tenant no longer in the spec)");
      }
    }
    boolean changed = !lines.equals(stored.lines());
    var handled = requested ? in.rotationRequest() : stored.handledRotation();
    var keySet =
        new NodeKeySet(changed ? stored.generation() + 1 : stored.generation(), lines, handled);
    return new Plan(keySet, changed, tenantKeys, List.copyOf(changes));
  }

  /**
   * When the key of {@code line} must be replaced by its own expiry: at two thirds of its life, or
   * at the expiry when the issue time is unknown. It comes before the policy's date when the line
   * was written under another policy (a {@code keyLifetime} lengthened in the spec after the key
   * was issued): without it the key would expire with no successor.
   */
  private static Instant lineDue(KeyLine line, Instant issuedAt) {
    if (line == null || line.expires() == null) {
      return null;
    }
    if (issuedAt == null || !issuedAt.isBefore(line.expires())) {
      return line.expires();
    }
    return issuedAt.plus(Duration.between(issuedAt, line.expires()).multipliedBy(2).dividedBy(3));
  }

  private static Instant earlier(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  private static TenantKeys mintPending(
      TenantPolicy policy,
      TenantKeys keys,
      Map<String, KeyLine> mine,
      Instant now,
      List<String> changes,
      String why) {
    var presented = ApiKeyMinter.mint(policy.name(), now);
    var line = KeyLine.of(presented, policy.name(), policy.expiresFor(now));
    mine.put(line.id(), line);
    changes.add(
        policy.name() + ": new key " + line.id() + " added to the node key set (" + why + ")");
    return new TenantKeys(keys.current(), keys.currentIssuedAt(), presented, now);
  }
}
