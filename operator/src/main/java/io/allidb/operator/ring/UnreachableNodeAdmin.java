package io.allidb.operator.ring;

/**
 * A binding whose every call fails (tests of the operator's behaviour without a ring): the operator
 * then manages Kubernetes objects, reports {@code RingStable=Unknown} and starts no ring operation
 * - it never guesses that a node joined or left. Production uses {@link GrpcNodeAdmin}.
 */
public final class UnreachableNodeAdmin implements NodeAdmin {
  private static NodeAdminException unavailable(NodeAddress node) {
    return new NodeAdminException("node admin API not reachable (" + node + ")");
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
