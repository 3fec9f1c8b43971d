package io.allidb.operator.reconcile;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.AlliClusterStatus;
import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.day2.ClusterEvents;
import io.allidb.operator.metrics.OperatorMetrics;
import io.allidb.operator.model.AlliClusterModel;
import io.allidb.operator.model.DesiredState;
import io.allidb.operator.model.Labels;
import io.allidb.operator.model.RolloutReason;
import io.allidb.operator.model.TemplateHash;
import io.allidb.operator.ring.NodeAddress;
import io.allidb.operator.ring.NodeAddressResolver;
import io.allidb.operator.ring.NodeAdmin;
import io.allidb.operator.ring.RingObserver;
import io.allidb.operator.ring.ServiceDnsAddresses;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles an {@link AlliCluster}: observe, validate, plan one step, act, write status. The
 * operator writes only status (never spec); its in-flight ring operation lives there, so any
 * reconcile - after a restart, after a spec change - starts from what status says. See
 * docs/operator.md for the state machines.
 */
public class AlliClusterReconciler implements Reconciler<AlliCluster>, Cleaner<AlliCluster> {
  private static final Logger logger = LoggerFactory.getLogger(AlliClusterReconciler.class);
  static final Duration BUSY_REQUEUE = Duration.ofSeconds(5);
  static final Duration IDLE_REQUEUE = Duration.ofMinutes(2);

  private final NodeAdmin admin;
  private final NodeAddressResolver addresses;
  private final ClusterObserver observer;
  private final ResourceApplier applier;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Day2Steps day2;

  public AlliClusterReconciler(
      NodeAdmin admin, ResourceApplier applier, OperatorMetrics metrics, Clock clock) {
    this(admin, new ServiceDnsAddresses(), applier, metrics, clock);
  }

  public AlliClusterReconciler(
      NodeAdmin admin,
      NodeAddressResolver addresses,
      ResourceApplier applier,
      OperatorMetrics metrics,
      Clock clock) {
    this.admin = admin;
    this.addresses = addresses;
    this.observer = new ClusterObserver(new RingObserver(admin), addresses);
    this.applier = applier;
    this.metrics = metrics;
    this.clock = clock;
    this.day2 = new Day2Steps(admin, addresses, metrics);
  }

  @Override
  public UpdateControl<AlliCluster> reconcile(AlliCluster cluster, Context<AlliCluster> context) {
    var started = System.nanoTime();
    var client = context.getClient();
    // the informer's copy can be one status write behind: the ring operation in flight and the
    // events derived from it must start from the status last written, so read it afresh
    var latest = client.resource(cluster).get();
    if (latest == null) {
      return UpdateControl.noUpdate(); // deleted meanwhile
    }
    cluster = latest;
    var problems = SpecValidator.validate(cluster);
    if (!problems.isEmpty()) {
      // a bad spec is reported, not retried: the next spec edit triggers a new reconcile
      metrics.reconciled("invalid", seconds(started));
      return patchStatus(
          cluster, context, StatusComposer.invalid(cluster, problems, clock.instant()));
    }
    var desired = AlliClusterModel.of(cluster);
    var seen = observer.observe(client, cluster);
    var paused = cluster.isPaused();
    var plan = RingPlanner.plan(planInput(cluster, desired, seen));
    if (!paused) {
      act(client, cluster, desired, plan);
      countRingOperations(cluster.getStatus(), plan);
    }
    // before the status write, also while paused (status still follows the planner then): every
    // change of status.ringOperation is announced, at least once
    RingEvents.emit(new ClusterEvents(client, cluster, clock.instant()), cluster, plan);
    var status =
        StatusComposer.compose(
            cluster, seen, plan, rolloutReason(desired, seen), paused, clock.instant());
    status.setReplacedNode(replacedNode(cluster, plan));
    // day-2 (issue 8): certificates, API keys, repair; report-only while paused
    day2.apply(client, cluster, seen, plan, paused, clock.instant(), status);
    metrics.reconciled(paused ? "paused" : "ok", seconds(started));
    // an unsettled ring (a node not answering yet, gossip not converged) is looked at again soon:
    // no Kubernetes event announces that it settled
    // so is a blocked step: hints drain and nodes come back without any Kubernetes event
    // and so is a day-2 step waiting on nodes: a Secret to load, a CA phase, a repair round
    var settled =
        !Day2Steps.waitingOnNodes(status, seen.pods().size())
            && plan.blocked() == null
            && (seen.pods().isEmpty()
                || (seen.ring().stable()
                    && seen.pods().values().stream().allMatch(PodState::ready)));
    return patchStatus(cluster, context, status)
        .rescheduleAfter((plan.busy() || !settled) && !paused ? BUSY_REQUEUE : IDLE_REQUEUE);
  }

  /** Objects first (config before pods need it), then the StatefulSets at the planned size. */
  private void act(KubernetesClient client, AlliCluster cluster, DesiredState desired, Plan plan) {
    desired.supportingObjects().forEach(o -> applier.apply(client, o));
    desired
        .statefulSets()
        .forEach(
            (rack, sts) -> {
              sts.getSpec().setReplicas(plan.replicas().getOrDefault(rack, 0));
              applier.apply(client, sts);
            });
    for (var action : plan.actions()) {
      run(client, cluster, action);
    }
  }

  private void run(KubernetesClient client, AlliCluster cluster, Action action) {
    var ns = cluster.getMetadata().getNamespace();
    logger.info("{}/{}: {}", ns, cluster.getMetadata().getName(), action);
    if (action instanceof Action.Decommission d) {
      admin.decommission(address(cluster, d.pod()));
    } else if (action instanceof Action.Restart r) {
      // drain first: the node flushes and hands off hints, so nothing relies on log replay
      admin.drain(address(cluster, r.pod()));
      client.pods().inNamespace(ns).withName(r.pod()).delete();
    } else if (action instanceof Action.DeleteClaim c) {
      client.persistentVolumeClaims().inNamespace(ns).withName(c.claim()).delete();
    } else if (action instanceof Action.DeletePod p) {
      client.pods().inNamespace(ns).withName(p.pod()).delete();
    }
  }

  /** The replace request not carried out yet, or null. */
  private static String pendingReplace(AlliCluster cluster) {
    var request = cluster.replaceNodeRequest();
    var done = cluster.getStatus() == null ? null : cluster.getStatus().getReplacedNode();
    return request == null || request.equals(done) ? null : request;
  }

  /** What status remembers of replace requests: forgotten once the annotation is removed. */
  private static String replacedNode(AlliCluster cluster, Plan plan) {
    if (cluster.replaceNodeRequest() == null) {
      return null;
    }
    if (plan.replaced() != null) {
      return plan.replaced();
    }
    return cluster.getStatus() == null ? null : cluster.getStatus().getReplacedNode();
  }

  /**
   * Whether an update of the AlliCluster needs a reconcile: its spec changed (generation), one of
   * the operator's {@code allidb.io/} annotations changed (pause, replace-node, the day-2 requests:
   * an annotation edit does not bump the generation), or it is being deleted. Status and other
   * metadata writes (the operator's own among them) do not.
   */
  public static boolean worthReconciling(AlliCluster updated, AlliCluster previous) {
    return !java.util.Objects.equals(
            updated.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
        || updated.isPaused() != previous.isPaused()
        || !operatorAnnotations(updated).equals(operatorAnnotations(previous))
        || updated.isMarkedForDeletion()
        || !java.util.Objects.equals(
            updated.getMetadata().getFinalizers(), previous.getMetadata().getFinalizers());
  }

  private static java.util.Map<String, String> operatorAnnotations(AlliCluster cluster) {
    var annotations = cluster.getMetadata().getAnnotations();
    var mine = new java.util.TreeMap<String, String>();
    if (annotations != null) {
      annotations.forEach(
          (k, v) -> {
            if (k.startsWith(AlliCluster.GROUP + "/")) {
              mine.put(k, v);
            }
          });
    }
    return mine;
  }

  @Override
  public DeleteControl cleanup(AlliCluster cluster, Context<AlliCluster> context) {
    // everything else carries an owner reference and is garbage-collected by Kubernetes; claims
    // are created by the StatefulSet controller without one, so the policy is applied here
    metrics.forget(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
    if (cluster.getSpec().getPvcRetentionPolicy().getOnDelete() == PvcRetention.Delete) {
      context
          .getClient()
          .persistentVolumeClaims()
          .inNamespace(cluster.getMetadata().getNamespace())
          .withLabels(Labels.nodeSelector(cluster))
          .delete();
    }
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<AlliCluster> updateErrorStatus(
      AlliCluster cluster, Context<AlliCluster> context, Exception e) {
    metrics.failed(0);
    logger.warn("reconcile of {} failed: {}", cluster.getMetadata().getName(), e.toString());
    // the cached copy can be a status write behind: writing its status back would undo the ring
    // operation's last step, so start from the stored one
    var latest = freshOrNull(context.getClient(), cluster);
    if (latest == null) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    cluster = latest;
    var old = cluster.getStatus() == null ? new AlliClusterStatus() : cluster.getStatus();
    var conditions =
        new Conditions(old.getConditions(), cluster.getMetadata().getGeneration(), clock.instant())
            .set(
                AlliClusterConditions.DEGRADED,
                true,
                "ReconcileError",
                String.valueOf(e.getMessage()));
    old.getConditions().stream()
        .filter(c -> !AlliClusterConditions.DEGRADED.equals(c.getType()))
        .forEach(c -> conditions.set(c.getType(), c.getStatus(), c.getReason(), c.getMessage()));
    old.setConditions(conditions.build());
    cluster.setStatus(old);
    if (applier.serverSideApply()) {
      return ErrorStatusUpdateControl.patchStatus(cluster); // default retry with backoff follows
    }
    // as in patchStatus: no JSON patch against a cached copy without SSA
    try {
      context.getClient().resource(cluster).updateStatus();
    } catch (RuntimeException conflict) {
      logger.warn("error status of {} not written: {}", cluster.getMetadata().getName(), conflict);
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private static AlliCluster freshOrNull(KubernetesClient client, AlliCluster cluster) {
    try {
      return client.resource(cluster).get();
    } catch (RuntimeException e) {
      return cluster; // the API server is the problem: the cached copy is all there is
    }
  }

  @Override
  public List<EventSource<?, AlliCluster>> prepareEventSources(
      EventSourceContext<AlliCluster> context) {
    var statefulSets =
        InformerEventSourceConfiguration.from(StatefulSet.class, AlliCluster.class)
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AlliCluster.class))
            .build();
    // pods are owned by StatefulSets, not by the cluster: map them through the instance label
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, AlliCluster.class)
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(
                (Pod p) ->
                    Set.of(
                        new ResourceID(
                            p.getMetadata().getLabels().get(Labels.INSTANCE),
                            p.getMetadata().getNamespace())))
            .build();
    return List.of(
        new InformerEventSource<>(statefulSets, context), new InformerEventSource<>(pods, context));
  }

  private PlanInput planInput(AlliCluster cluster, DesiredState desired, Observation seen) {
    var racks = new ArrayList<RackState>();
    var specRacks = new LinkedHashMap<String, Integer>();
    cluster.getSpec().effectiveRacks().forEach(r -> specRacks.put(r.getName(), r.getReplicas()));
    specRacks.forEach((rack, replicas) -> racks.add(rackState(rack, replicas, desired, seen)));
    // racks removed from the spec shrink to zero through the same decommission path
    seen.statefulSets().keySet().stream()
        .filter(r -> !specRacks.containsKey(r))
        .forEach(r -> racks.add(rackState(r, 0, desired, seen)));
    var spec = cluster.getSpec();
    return new PlanInput(
        cluster.getMetadata().getName(),
        racks,
        seen.pods(),
        seen.ring(),
        cluster.getStatus() == null ? null : cluster.getStatus().getRingOperation(),
        spec.getReplicationFactor(),
        spec.getPvcRetentionPolicy().getOnScaleDown(),
        cluster.allowsQuorumLossOnRestart(),
        cluster.getMetadata().getGeneration() == null ? 0 : cluster.getMetadata().getGeneration(),
        clock.instant(),
        pendingReplace(cluster));
  }

  private static RackState rackState(
      String rack, int desiredReplicas, DesiredState desired, Observation seen) {
    var existing = seen.statefulSets().get(rack);
    var current = existing == null ? 0 : existing.getSpec().getReplicas();
    var sts = desired.statefulSets().get(rack);
    var hash =
        sts != null
            ? TemplateHash.annotatedOn(sts.getSpec().getTemplate().getMetadata())
            : TemplateHash.annotatedOn(existing.getSpec().getTemplate().getMetadata());
    return new RackState(rack, desiredReplicas, current, hash);
  }

  private static String rolloutReason(DesiredState desired, Observation seen) {
    for (var entry : desired.statefulSets().entrySet()) {
      var running = seen.statefulSets().get(entry.getKey());
      if (running != null) {
        var reason =
            RolloutReason.between(
                running.getSpec().getTemplate(), entry.getValue().getSpec().getTemplate());
        if (reason != null) {
          return reason;
        }
      }
    }
    return "pods run an older pod template";
  }

  private void countRingOperations(AlliClusterStatus before, Plan plan) {
    var was = before == null ? null : before.getRingOperation();
    var now = plan.operation();
    if (was == null && now != null) {
      metrics.ringOperation(now.getType().name(), "started");
    } else if (was != null && now == null) {
      metrics.ringOperation(was.getType().name(), "finished");
    }
  }

  private NodeAddress address(AlliCluster cluster, String pod) {
    return addresses.resolve(cluster, pod);
  }

  private UpdateControl<AlliCluster> patchStatus(
      AlliCluster cluster, Context<AlliCluster> context, AlliClusterStatus status) {
    // only the status subresource is written; spec is never sent back (decision 9)
    if (applier.serverSideApply()) {
      cluster.setStatus(status);
      return UpdateControl.patchStatus(cluster);
    }
    // without SSA, JOSDK patches status with a JSON Patch computed against its cached copy; after
    // an operator restart that copy can be stale, the patch then fails on a list removal ("index
    // out of bounds") and every retry fails the same way. Replace the status of the current
    // object instead (optimistic locking: a conflict is retried by JOSDK).
    var client = context.getClient();
    var current = client.resource(cluster).get();
    if (current == null) {
      return UpdateControl.noUpdate(); // deleted meanwhile
    }
    current.setStatus(status);
    client.resource(current).updateStatus();
    return UpdateControl.noUpdate();
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
