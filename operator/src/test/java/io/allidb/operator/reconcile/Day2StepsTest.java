package io.allidb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.api.AlliClusterStatus;
import io.allidb.operator.api.ApiKeysStatus;
import io.allidb.operator.api.CertificatesStatus;
import io.allidb.operator.api.RepairStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the day-2 steps make the reconcile come back soon rather than at the idle resync. */
class Day2StepsTest {

  @Test
  void nothingInFlightIsNotWaiting() {
    var status = new AlliClusterStatus();
    assertThat(Day2Steps.waitingOnNodes(status, 3)).isFalse();
    status.setApiKeys(keys(null));
    status.setCertificates(certificates("Steady", "Steady"));
    status.setRepair(new RepairStatus());
    assertThat(Day2Steps.waitingOnNodes(status, 3)).isFalse();
  }

  @Test
  void aPendingTenantKeyWaitsForTheNodes() {
    var status = new AlliClusterStatus();
    status.setApiKeys(keys("acme-new"));
    assertThat(Day2Steps.waitingOnNodes(status, 3)).isTrue();
  }

  @Test
  void aGenerationSomePodsHaveNotReportedWaitsForThem() {
    var status = new AlliClusterStatus();
    var keys = keys(null);
    keys.setNodesOnGeneration(2);
    status.setApiKeys(keys);
    assertThat(Day2Steps.waitingOnNodes(status, 3)).as("key set on 2 of 3").isTrue();
    keys.setNodesOnGeneration(3);
    var certs = certificates("Steady", "Steady");
    certs.setNodesOnGeneration(1);
    status.setCertificates(certs);
    assertThat(Day2Steps.waitingOnNodes(status, 3)).as("certificates on 1 of 3").isTrue();
    certs.setNodesOnGeneration(3);
    assertThat(Day2Steps.waitingOnNodes(status, 3)).isFalse();
  }

  @Test
  void aCaBetweenPhasesWaitsForTheNodes() {
    for (var phase : List.of("TrustNew", "SignWithNew")) {
      var status = new AlliClusterStatus();
      status.setCertificates(certificates("Steady", phase));
      assertThat(Day2Steps.waitingOnNodes(status, 3)).as(phase).isTrue();
    }
  }

  @Test
  void aRepairRoundIsPolledBetweenItsRepairsToo() {
    var status = new AlliClusterStatus();
    var repair = new RepairStatus();
    repair.setRound("round-1");
    status.setRepair(repair);
    assertThat(Day2Steps.waitingOnNodes(status, 3)).as("no repair running right now").isTrue();
    var running = new RepairStatus.RunningRepair();
    running.setPod("demo-default-0");
    repair.setRunning(List.of(running));
    assertThat(Day2Steps.waitingOnNodes(status, 3)).isTrue();
  }

  private static ApiKeysStatus keys(String pending) {
    var tenant = new ApiKeysStatus.TenantKeyStatus();
    tenant.setTenant("acme");
    tenant.setKeyId("acme-old");
    tenant.setPendingKeyId(pending);
    var keys = new ApiKeysStatus();
    keys.setTenants(List.of(tenant));
    return keys;
  }

  private static CertificatesStatus certificates(String internode, String client) {
    var certs = new CertificatesStatus();
    certs.setAuthorities(
        List.of(
            new CertificatesStatus.AuthorityStatus("internode", internode, null, null),
            new CertificatesStatus.AuthorityStatus("client", client, null, null)));
    return certs;
  }
}
