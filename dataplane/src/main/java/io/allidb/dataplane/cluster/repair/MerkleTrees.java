package io.allidb.dataplane.cluster.repair;

import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Merkle trees of this node's rows. Rows are stored in key order, not token order, so a
 * tree costs a pass over all of the node's data whatever the range's size; building the trees of
 * several ranges in one pass divides that cost. Stateless; thread-safe.
 */
public final class MerkleTrees {
  private MerkleTrees() {}

  /**
   * One tree per range, in order, over one snapshot of memtables and SSTables (memtable rows
   * included: a row acknowledged but not yet flushed is data like any other).
   */
  public static List<MerkleTree> build(StorageEngine storage, List<TokenRange> ranges, int depth)
      throws IOException {
    var trees = new ArrayList<MerkleTree>(ranges.size());
    for (TokenRange r : ranges) {
      trees.add(new MerkleTree(r, depth));
    }
    long[] token = new long[1];
    storage.forEachRow(
        (RowKey k) -> {
          token[0] = Murmur3Partitioner.token(k.tenant(), k.id());
          for (MerkleTree t : trees) {
            if (t.range().contains(token[0])) {
              return true;
            }
          }
          return false;
        },
        row -> {
          for (MerkleTree t : trees) {
            if (t.range().contains(token[0])) {
              t.add(token[0], row); // ranges may overlap when a caller asks so; each tree counts
            }
          }
        });
    return trees;
  }
}
