package io.allidb.operator.repair;

import io.allidb.operator.ring.TokenMap;
import io.allidb.operator.ring.TokenRange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ring's vnode ranges and the replicas of each, by the data plane's placement rule ({@code
 * TokenRing.replicasFor}): walk clockwise from the range's end token, take members on racks not
 * used yet until every rack holds a replica, then fill with the members skipped, in the order met.
 * {@code testdata/ring-placement-v1.golden} pins both implementations to the same answers.
 */
public final class ReplicaPlacement {
  private ReplicaPlacement() {}

  /** Every vnode range in token order, with its replica set (primary first). */
  public static Map<TokenRange, List<String>> replicaSets(TokenMap map) {
    var owners = new TreeMap<Long, String>();
    map.tokens().forEach((pod, tokens) -> tokens.forEach(t -> owners.put(t, pod)));
    var tokens = owners.keySet().stream().mapToLong(Long::longValue).toArray();
    var ownerOf = owners.values().toArray(String[]::new);
    int rackCount = new HashSet<>(map.racks().values()).size();
    int wanted = Math.min(map.replicationFactor(), map.tokens().size());
    var out = new LinkedHashMap<TokenRange, List<String>>();
    for (int i = 0; i < tokens.length; i++) {
      var range = new TokenRange(tokens[(i - 1 + tokens.length) % tokens.length], tokens[i]);
      var chosen = new LinkedHashSet<String>();
      var usedRacks = new HashSet<String>();
      var skipped = new LinkedHashSet<String>();
      for (int step = 0; step < tokens.length && chosen.size() < wanted; step++) {
        var host = ownerOf[(i + step) % tokens.length];
        if (chosen.contains(host)) {
          continue;
        }
        var rack = map.racks().getOrDefault(host, "");
        if (usedRacks.size() < rackCount && usedRacks.contains(rack)) {
          skipped.add(host);
          continue;
        }
        chosen.add(host);
        usedRacks.add(rack);
        if (usedRacks.size() == rackCount) {
          for (var it = skipped.iterator(); it.hasNext() && chosen.size() < wanted; ) {
            chosen.add(it.next());
            it.remove();
          }
        }
      }
      out.put(range, new ArrayList<>(chosen));
    }
    return out;
  }
}
