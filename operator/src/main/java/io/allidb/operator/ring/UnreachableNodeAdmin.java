package io.allidb.operator.ring;

/**
 * The admin binding until the data plane serves its admin API (issue 6): every call fails, so the
 * operator manages Kubernetes objects, reports {@code RingStable=Unknown} and starts no ring
 * operation - it never guesses that a node joined or left.
 */
public final class UnreachableNodeAdmin implements NodeAdmin {
  private static NodeAdminException unavailable(NodeAddress node) {
    return new NodeAdminException("node admin API binding not available yet (" + node + ")");
  }

  @Override
  public NodeInfo nodeInfo(NodeAddress node) {
    throw unavailable(node);
  }

  @Override
  public RingView ringView(NodeAddress node) {
    throw unavailable(node);
  }

  @Override
  public void decommission(NodeAddress node) {
    throw unavailable(node);
  }

  @Override
  public DecommissionStatus decommissionStatus(NodeAddress node) {
    throw unavailable(node);
  }

  @Override
  public void drain(NodeAddress node) {
    throw unavailable(node);
  }

  @Override
  public SecretGenerations reloadSecrets(NodeAddress node) {
    throw unavailable(node);
  }

  @Override
  public TokenMap tokenMap(NodeAddress node) {
    throw unavailable(node);
  }

  @Override
  public RepairProgress startRepair(
      NodeAddress node, java.util.List<TokenRange> ranges, double intensity) {
    throw unavailable(node);
  }

  @Override
  public RepairProgress repairStatus(NodeAddress node, String repairId) {
    throw unavailable(node);
  }
}
