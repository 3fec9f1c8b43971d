package io.allidb.operator.pki;

import io.allidb.operator.api.CertificateIssuer;
import io.allidb.operator.api.CertificatesStatus;
import io.allidb.operator.api.Day2Annotations;
import io.allidb.operator.day2.ClusterEvents;
import io.allidb.operator.day2.Day2Context;
import io.allidb.operator.day2.NodeSecrets;
import io.allidb.operator.day2.SecretStore;
import io.allidb.operator.model.GoDuration;
import io.allidb.operator.model.Names;
import io.allidb.operator.ring.NodeInfo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link CertificatePlanner} to a cluster: reads the CA and TLS Secrets and the nodes'
 * certificate generations, writes what the plan changed (CA Secret first, so a key is stored before
 * anything it signed is published), asks the nodes to reload, and reports expiry. A Secret the
 * operator cannot read is reported and left alone - never replaced by fresh material.
 */
public final class CertificateStep {
  private static final Logger logger = LoggerFactory.getLogger(CertificateStep.class);

  private CertificateStep() {}

  /** What the reconcile reports. */
  public record Outcome(
      CertificatesStatus status,
      CertificateExpiry.Report report,
      List<CertificateExpiry.Tracked> tracked) {}

  public static Outcome reconcile(Day2Context ctx) {
    var tls = ctx.cluster().getSpec().getTls();
    if (!Boolean.TRUE.equals(tls.getEnabled())) {
      return new Outcome(
          null, CertificateExpiry.report(List.of(), List.of(), ctx.now()), List.of());
    }
    return tls.getIssuer() == CertificateIssuer.USER_PROVIDED
        ? userProvided(ctx)
        : operatorIssued(ctx);
  }

  private static Outcome operatorIssued(Day2Context ctx) {
    var cluster = ctx.cluster();
    var problems = new ArrayList<String>();
    CertificatePolicy policy;
    try {
      policy =
          new CertificatePolicy(
              GoDuration.parseOr(
                  cluster.getSpec().getTls().getCertificateLifetime(),
                  "spec.tls.certificateLifetime",
                  CertificatePolicy.DEFAULT_LEAF),
              CertificatePolicy.DEFAULT_CA);
    } catch (IllegalArgumentException e) {
      return new Outcome(
          null, CertificateExpiry.report(List.of(), List.of(e.getMessage()), ctx.now()), List.of());
    }
    var store = new SecretStore(ctx.client(), cluster);
    var nodes = new NodeSecrets(ctx);
    var reported = nodes.generations(ctx.runningPods(), NodeInfo::certificateGeneration);
    var podNames = new LinkedHashMap<String, List<String>>();
    ctx.desiredPods().forEach(p -> podNames.put(p, PodNames.of(cluster, p)));

    var caSecrets =
        new EnumMap<TlsPurpose, io.fabric8.kubernetes.api.model.Secret>(TlsPurpose.class);
    var tlsSecrets =
        new EnumMap<TlsPurpose, io.fabric8.kubernetes.api.model.Secret>(TlsPurpose.class);
    var cas = new EnumMap<TlsPurpose, CaState>(TlsPurpose.class);
    var materials = new EnumMap<TlsPurpose, TlsMaterial>(TlsPurpose.class);
    for (var purpose : TlsPurpose.values()) {
      try {
        caSecrets.put(purpose, store.get(purpose.caSecret(cluster)));
        tlsSecrets.put(purpose, store.get(purpose.tlsSecret(cluster)));
        cas.put(purpose, TlsSecrets.readCa(caSecrets.get(purpose)));
        materials.put(purpose, TlsSecrets.readMaterial(tlsSecrets.get(purpose)));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage() + " (left unchanged; fix or delete it)");
      }
    }
    long generation =
        materials.values().stream().mapToLong(TlsMaterial::generation).max().orElse(0);
    boolean acked = NodeSecrets.allAt(reported, generation);
    var rotation = Day2Annotations.get(cluster, Day2Annotations.ROTATE_CA);

    var plans = new EnumMap<TlsPurpose, CertificatePlanner.Plan>(TlsPurpose.class);
    for (var purpose : materials.keySet()) {
      plans.put(
          purpose,
          CertificatePlanner.plan(
              new CertificatePlanner.Input(
                  purpose.caCommonName(cluster),
                  cas.get(purpose),
                  materials.get(purpose),
                  podNames,
                  acked,
                  rotation,
                  ctx.now(),
                  policy)));
    }
    boolean changed = plans.values().stream().anyMatch(CertificatePlanner.Plan::materialChanged);
    long next = changed ? generation + 1 : generation;
    var events = new ClusterEvents(ctx.client(), cluster, ctx.now());
    if (ctx.act() && problems.isEmpty()) {
      for (var e : plans.entrySet()) {
        if (e.getValue().caChanged()) {
          store.put(
              caSecrets.get(e.getKey()),
              e.getKey().caSecret(cluster),
              TlsSecrets.caData(e.getValue().ca()),
              TlsSecrets.caAnnotations(e.getValue().ca()));
        }
      }
      if (changed) {
        for (var e : plans.entrySet()) {
          var plan = e.getValue();
          store.put(
              tlsSecrets.get(e.getKey()),
              e.getKey().tlsSecret(cluster),
              TlsSecrets.materialData(new TlsMaterial(plan.bundle(), plan.leaves(), next)),
              Map.of());
          if (!plan.changes().isEmpty()) {
            logger.info(
                "{}/{} {} certificates: {}",
                ctx.namespace(),
                ctx.name(),
                e.getKey().label(),
                plan.changes());
            events.normal(
                "CertificatesUpdated",
                e.getKey().label() + "-" + next,
                e.getKey().label()
                    + " TLS material generation "
                    + next
                    + ": "
                    + String.join("; ", plan.changes()));
          }
        }
        nodes.reload(ctx.runningPods());
      }
    }

    var tracked = new ArrayList<CertificateExpiry.Tracked>();
    var status = new CertificatesStatus();
    status.setGeneration(next);
    status.setNodesOnGeneration((int) reported.values().stream().filter(g -> g >= next).count());
    for (var e : plans.entrySet()) {
      var label = e.getKey().label();
      var ca = e.getValue().ca();
      tracked.add(new CertificateExpiry.Tracked(label + "/ca", ca.active().notAfter()));
      e.getValue()
          .leaves()
          .forEach(
              (pod, leaf) ->
                  tracked.add(new CertificateExpiry.Tracked(label + "/" + pod, leaf.notAfter())));
      status
          .getAuthorities()
          .add(
              new CertificatesStatus.AuthorityStatus(
                  label,
                  ca.phase() == CaPhase.STEADY
                      ? "Steady"
                      : ca.phase() == CaPhase.TRUST_NEW ? "TrustNew" : "SignWithNew",
                  ca.active().notAfter().toString(),
                  ca.handledRotation()));
    }
    return finish(ctx, status, tracked, problems);
  }

  private static Outcome userProvided(Day2Context ctx) {
    var cluster = ctx.cluster();
    var store = new SecretStore(ctx.client(), cluster);
    var problems = new ArrayList<String>();
    var tracked = new ArrayList<CertificateExpiry.Tracked>();
    for (var purpose : TlsPurpose.values()) {
      var name = purpose.tlsSecret(cluster);
      var required =
          purpose == TlsPurpose.INTERNODE
              ? ctx.desiredPods()
              : List.of(Names.clientService(cluster));
      var result =
          UserCertificateValidator.validate(store.get(name), name, purpose, required, ctx.now());
      problems.addAll(result.problems());
      if (result.leaf() != null) {
        tracked.add(
            new CertificateExpiry.Tracked(
                purpose.label() + "/tls", result.leaf().getNotAfter().toInstant()));
        for (int i = 0; i < result.cas().size(); i++) {
          tracked.add(
              new CertificateExpiry.Tracked(
                  purpose.label() + "/ca" + (i == 0 ? "" : "-" + i),
                  result.cas().get(i).getNotAfter().toInstant()));
        }
      }
    }
    return finish(ctx, new CertificatesStatus(), tracked, problems);
  }

  private static Outcome finish(
      Day2Context ctx,
      CertificatesStatus status,
      List<CertificateExpiry.Tracked> tracked,
      List<String> problems) {
    var report = CertificateExpiry.report(tracked, problems, ctx.now());
    tracked.stream()
        .min(java.util.Comparator.comparing(CertificateExpiry.Tracked::notAfter))
        .ifPresent(t -> status.setEarliestExpiry(t.notAfter().toString()));
    if (ctx.act()) {
      var events = new ClusterEvents(ctx.client(), ctx.cluster(), ctx.now());
      report.warnings().forEach(w -> events.warning(w.reason(), w.certificate(), w.message()));
      if (!problems.isEmpty()) {
        events.warning("CertificatesInvalid", "tls", String.join("; ", problems));
      }
    }
    return new Outcome(status, report, tracked);
  }
}
