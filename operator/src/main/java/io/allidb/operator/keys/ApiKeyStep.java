package io.allidb.operator.keys;

import io.allidb.operator.api.ApiKeysStatus;
import io.allidb.operator.api.Day2Annotations;
import io.allidb.operator.api.TenantSpec;
import io.allidb.operator.day2.ClusterEvents;
import io.allidb.operator.day2.Day2Context;
import io.allidb.operator.day2.NodeSecrets;
import io.allidb.operator.day2.SecretStore;
import io.allidb.operator.model.GoDuration;
import io.allidb.operator.model.Names;
import io.allidb.operator.pki.TlsSecrets;
import io.allidb.operator.ring.NodeInfo;
import io.allidb.operator.ring.SecretAdminCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link KeyRotationPlanner}: reads the node key-set Secret, the tenant Secrets and the
 * nodes' key-set generations; writes the key set (hashes only) and the tenant Secrets (the keys,
 * for applications); asks nodes to reload. Logs and events carry key ids, never keys. A Secret it
 * cannot read is reported and left alone.
 */
public final class ApiKeyStep {
  private static final Logger logger = LoggerFactory.getLogger(ApiKeyStep.class);
  static final String HANDLED_ROTATION = "allidb.io/api-key-rotation-handled";

  private ApiKeyStep() {}

  /**
   * @param ready the ApiKeysReady condition's status
   */
  public record Outcome(ApiKeysStatus status, boolean ready, String reason, String message) {}

  public static String tenantSecret(io.allidb.operator.api.AlliCluster cluster, TenantSpec t) {
    return t.getSecretName() != null
        ? t.getSecretName()
        : cluster.getMetadata().getName() + "-tenant-" + t.getName();
  }

  public static Outcome reconcile(Day2Context ctx) {
    var cluster = ctx.cluster();
    var auth = cluster.getSpec().getAuth();
    var store = new SecretStore(ctx.client(), cluster);
    if (!Boolean.TRUE.equals(auth.getEnabled())) {
      if (ctx.act()) {
        // a TLS-only cluster: the operator still needs the CA bundle to reach its nodes
        var adminSecret = store.get(Names.operatorAdminSecret(cluster));
        writeOperatorAdmin(store, cluster, adminSecret, existingAdminKey(adminSecret));
      }
      return new Outcome(null, true, "AuthDisabled", "API keys are not required");
    }
    var policies = new ArrayList<KeyRotationPlanner.TenantPolicy>();
    var tenantSecrets = new LinkedHashMap<String, Secret>();
    var tenantKeys = new LinkedHashMap<String, TenantKeys>();
    Secret keySetSecret;
    NodeKeySet stored;
    Secret adminSecret;
    String adminKey;
    try {
      for (var t : auth.getTenants()) {
        policies.add(
            new KeyRotationPlanner.TenantPolicy(
                t.getName(),
                t.getKeyLifetime() == null
                    ? null
                    : GoDuration.parse(
                        t.getKeyLifetime(), "tenant " + t.getName() + " keyLifetime"),
                t.getRotationPeriod() == null
                    ? null
                    : GoDuration.parse(
                        t.getRotationPeriod(), "tenant " + t.getName() + " rotationPeriod")));
        var secret = store.get(tenantSecret(cluster, t));
        tenantSecrets.put(t.getName(), secret);
        tenantKeys.put(t.getName(), readTenant(secret));
      }
      keySetSecret = store.get(Names.nodeKeySetSecret(cluster));
      stored = readKeySet(keySetSecret);
      adminSecret = store.get(Names.operatorAdminSecret(cluster));
      adminKey = existingAdminKey(adminSecret);
    } catch (IllegalArgumentException e) {
      return new Outcome(null, false, "Invalid", e.getMessage());
    }
    var nodes = new NodeSecrets(ctx);
    var reported = nodes.generations(ctx.runningPods(), NodeInfo::keySetGeneration);
    var acked = NodeSecrets.allAt(reported, stored.generation());
    // the operator's own admin line is not a tenant's: plan it apart, then merge
    var tenantLines = stored.lines().stream().filter(l -> !OperatorAdminKey.owns(l)).toList();
    var adminLines = stored.lines().stream().filter(OperatorAdminKey::owns).toList();
    var tenantPlan =
        KeyRotationPlanner.plan(
            new KeyRotationPlanner.Input(
                policies,
                new NodeKeySet(stored.generation(), tenantLines, stored.handledRotation()),
                tenantKeys,
                acked,
                Day2Annotations.get(cluster, Day2Annotations.ROTATE_API_KEYS),
                ctx.now()));
    var admin = OperatorAdminKey.plan(adminLines, adminKey, ctx.now());
    var plan = merge(stored, tenantPlan, admin);
    if (ctx.act()) {
      var handled = plan.keySet().handledRotation();
      boolean wrote =
          store.put(
              keySetSecret,
              Names.nodeKeySetSecret(cluster),
              Map.of(NodeKeySet.FILE, b64(plan.keySet().render())),
              handled == null ? Map.of() : Map.of(HANDLED_ROTATION, handled));
      for (var t : auth.getTenants()) {
        var keys = plan.tenantKeys().get(t.getName());
        store.put(
            tenantSecrets.get(t.getName()),
            tenantSecret(cluster, t),
            tenantData(keys),
            tenantAnnotations(keys));
      }
      // after the key set: the key is useful only once its line is on its way to the nodes
      writeOperatorAdmin(store, cluster, adminSecret, admin.key());
      if (!plan.changes().isEmpty()) {
        logger.info("{}/{} API keys: {}", ctx.namespace(), ctx.name(), plan.changes());
        new ClusterEvents(ctx.client(), cluster, ctx.now())
            .normal(
                "ApiKeysUpdated",
                "keys-" + plan.keySet().generation(),
                String.join("; ", plan.changes()));
      }
      if (wrote) {
        nodes.reload(ctx.runningPods());
      }
    }
    var out = outcome(plan, reported, ctx.now());
    if (ctx.act() && "KeyExpired".equals(out.reason())) {
      // applications are refused from the expiry on, before anyone reads status: say it loudly
      new ClusterEvents(ctx.client(), cluster, ctx.now())
          .warning("ApiKeyExpired", "expired-" + expiredIds(plan, ctx.now()), out.message());
    }
    return out;
  }

  /** Ids of the tenants' current keys that have expired at {@code now}, for an event subject. */
  private static String expiredIds(KeyRotationPlanner.Plan plan, Instant now) {
    var current = new java.util.HashSet<String>();
    plan.tenantKeys().values().forEach(k -> current.add(TenantKeys.idOf(k.current())));
    return plan.keySet().lines().stream()
        .filter(l -> current.contains(l.id()))
        .filter(l -> l.expires() != null && !now.isBefore(l.expires()))
        .map(KeyLine::id)
        .sorted()
        .collect(java.util.stream.Collectors.joining(","));
  }

  private static KeyRotationPlanner.Plan merge(
      NodeKeySet stored, KeyRotationPlanner.Plan tenants, OperatorAdminKey.Plan admin) {
    var lines = new ArrayList<KeyLine>(admin.lines());
    lines.addAll(tenants.keySet().lines());
    boolean changed = !lines.equals(stored.lines());
    var keySet =
        new NodeKeySet(
            changed ? stored.generation() + 1 : stored.generation(),
            lines,
            tenants.keySet().handledRotation());
    var changes = new ArrayList<String>(admin.changes());
    changes.addAll(tenants.changes());
    return new KeyRotationPlanner.Plan(keySet, changed, tenants.tenantKeys(), changes);
  }

  static String existingAdminKey(Secret secret) {
    if (secret == null
        || secret.getData() == null
        || !secret.getData().containsKey(SecretAdminCredentials.API_KEY)) {
      return null;
    }
    var key = text(secret.getData().get(SecretAdminCredentials.API_KEY)).strip();
    if (key.indexOf('.') <= 0) {
      throw new IllegalArgumentException(
          "Secret "
              + secret.getMetadata().getName()
              + ": "
              + SecretAdminCredentials.API_KEY
              + " is not <key-id>.<secret>");
    }
    return key;
  }

  /**
   * Writes the operator-admin Secret GrpcNodeAdmin reads: {@code api-key} (when given) and, on a
   * TLS cluster, {@code ca.crt} copied from the mounted client TLS Secret the certificate step
   * wrote (the bundle the nodes' client-facing certificates chain to, both CAs during a rotation).
   * Nothing is written for a cluster with neither TLS nor auth.
   */
  static void writeOperatorAdmin(
      SecretStore store,
      io.allidb.operator.api.AlliCluster cluster,
      Secret existing,
      String apiKey) {
    boolean tls = Boolean.TRUE.equals(cluster.getSpec().getTls().getEnabled());
    if (!tls && apiKey == null) {
      return;
    }
    var data = new TreeMap<String, String>();
    if (apiKey != null) {
      data.put(SecretAdminCredentials.API_KEY, b64(apiKey));
    }
    if (tls) {
      var clientTls = store.get(Names.clientTlsSecret(cluster));
      var bundle =
          clientTls == null || clientTls.getData() == null
              ? null
              : clientTls.getData().get(TlsSecrets.BUNDLE);
      if (bundle == null && existing != null && existing.getData() != null) {
        bundle = existing.getData().get(SecretAdminCredentials.CA); // e.g. set by hand
      }
      if (bundle != null) {
        data.put(SecretAdminCredentials.CA, bundle);
      }
    }
    store.put(existing, Names.operatorAdminSecret(cluster), data, Map.of());
  }

  private static Outcome outcome(
      KeyRotationPlanner.Plan plan, Map<String, Long> reported, Instant now) {
    var status = new ApiKeysStatus();
    var generation = plan.keySet().generation();
    status.setGeneration(generation);
    status.setNodesOnGeneration(
        (int) reported.values().stream().filter(g -> g >= generation).count());
    status.setRotation(plan.keySet().handledRotation());
    var waiting = new ArrayList<String>();
    var expired = new ArrayList<String>();
    for (var e : plan.tenantKeys().entrySet()) {
      var keys = e.getValue();
      var s = new ApiKeysStatus.TenantKeyStatus();
      s.setTenant(e.getKey());
      s.setKeyId(TenantKeys.idOf(keys.current()));
      s.setIssuedAt(keys.currentIssuedAt() == null ? null : keys.currentIssuedAt().toString());
      s.setPendingKeyId(TenantKeys.idOf(keys.pending()));
      for (var line : plan.keySet().lines()) {
        if (OperatorAdminKey.owns(line) || !line.tenant().equals(e.getKey())) {
          continue;
        }
        if (line.id().equals(s.getKeyId())) {
          s.setExpiresAt(line.expires() == null ? null : line.expires().toString());
          if (line.expires() != null && !now.isBefore(line.expires())) {
            expired.add(
                "tenant " + e.getKey() + ": key " + line.id() + " expired at " + line.expires());
          }
        } else if (!line.id().equals(s.getPendingKeyId())) {
          s.setRetiringKeyId(line.id());
          s.setRetiringUntil(line.expires() == null ? null : line.expires().toString());
        }
      }
      if (keys.current() == null) {
        waiting.add(e.getKey());
      }
      status.getTenants().add(s);
    }
    if (!expired.isEmpty()) {
      return new Outcome(
          status,
          false,
          "KeyExpired",
          "current key expired ("
              + String.join("; ", expired)
              + "): nodes refuse it; a new key is on its way to the nodes and applications must"
              + " re-read their Secret");
    }
    if (!waiting.isEmpty()) {
      return new Outcome(
          status,
          false,
          "WaitingForNodes",
          "no key yet for "
              + waiting
              + ": waiting until every node reports key-set generation "
              + generation
              + " ("
              + status.getNodesOnGeneration()
              + "/"
              + reported.size()
              + ")");
    }
    return new Outcome(
        status,
        true,
        "Ready",
        plan.tenantKeys().size()
            + " tenant(s) have keys; "
            + status.getNodesOnGeneration()
            + "/"
            + reported.size()
            + " node(s) on key-set generation "
            + generation);
  }

  static TenantKeys readTenant(Secret secret) {
    if (secret == null || secret.getData() == null) {
      return TenantKeys.none();
    }
    var data = secret.getData();
    var annotations =
        secret.getMetadata().getAnnotations() == null
            ? Map.<String, String>of()
            : secret.getMetadata().getAnnotations();
    var current = data.containsKey(TenantKeys.KEY) ? text(data.get(TenantKeys.KEY)).strip() : null;
    var pending =
        data.containsKey(TenantKeys.PENDING) ? text(data.get(TenantKeys.PENDING)).strip() : null;
    for (var k : new String[] {current, pending}) {
      if (k != null && k.indexOf('.') <= 0) {
        throw new IllegalArgumentException(
            "Secret " + secret.getMetadata().getName() + ": an api key is not <key-id>.<secret>");
      }
    }
    return new TenantKeys(
        current,
        instant(annotations.get(TenantKeys.ISSUED_AT)),
        pending,
        instant(annotations.get(TenantKeys.PENDING_ISSUED_AT)));
  }

  static NodeKeySet readKeySet(Secret secret) {
    if (secret == null
        || secret.getData() == null
        || !secret.getData().containsKey(NodeKeySet.FILE)) {
      return NodeKeySet.empty();
    }
    var annotations = secret.getMetadata().getAnnotations();
    return NodeKeySet.parse(
        text(secret.getData().get(NodeKeySet.FILE)),
        secret.getMetadata().getName() + "/" + NodeKeySet.FILE,
        annotations == null ? null : annotations.get(HANDLED_ROTATION));
  }

  static Map<String, String> tenantData(TenantKeys keys) {
    var data = new TreeMap<String, String>();
    if (keys.current() != null) {
      data.put(TenantKeys.KEY, b64(keys.current()));
    }
    if (keys.pending() != null) {
      data.put(TenantKeys.PENDING, b64(keys.pending()));
    }
    return data;
  }

  static Map<String, String> tenantAnnotations(TenantKeys keys) {
    var out = new TreeMap<String, String>();
    if (keys.currentIssuedAt() != null) {
      out.put(TenantKeys.ISSUED_AT, keys.currentIssuedAt().toString());
    }
    if (keys.pendingIssuedAt() != null) {
      out.put(TenantKeys.PENDING_ISSUED_AT, keys.pendingIssuedAt().toString());
    }
    return out;
  }

  private static Instant instant(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("annotation value '" + s + "' is not an RFC 3339 instant");
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
