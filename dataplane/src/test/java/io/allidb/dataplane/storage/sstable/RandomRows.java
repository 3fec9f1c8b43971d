package io.allidb.dataplane.storage.sstable;

import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.util.Random;
import java.util.TreeMap;

/** Seeded random rows for SSTable tests: several tenants, tombstones, expiries, odd ids. */
final class RandomRows {
  private static final String[] TENANTS = {"acme", "globex", "t\u00e9nant", "\u6f22\u5b57", "z"};
  private static final String[] ID_PARTS = {"a", "b", "\u00fc", "\u20ac", "\ud83d\ude00", "9", "-"};

  private RandomRows() {}

  /** The seed: -Dtests.seed when given, else random; printed so a failure can be replayed. */
  static long seed(String test) {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println(test + ": -Dtests.seed=" + seed);
    return seed;
  }

  static RowKey randomKey(Random rnd) {
    String tenant = TENANTS[rnd.nextInt(TENANTS.length)];
    var id = new StringBuilder();
    int parts = 1 + rnd.nextInt(6);
    for (int i = 0; i < parts; i++) {
      id.append(ID_PARTS[rnd.nextInt(ID_PARTS.length)]);
    }
    id.append(rnd.nextInt(1000));
    return RowKey.of(tenant, id.toString());
  }

  /** {@code count} distinct random keys with assorted rows, sorted. */
  static TreeMap<RowKey, Row> generate(Random rnd, int count) {
    var rows = new TreeMap<RowKey, Row>();
    while (rows.size() < count) {
      RowKey key = randomKey(rnd);
      rows.put(key, randomRow(rnd, key));
    }
    return rows;
  }

  static Row randomRow(Random rnd, RowKey key) {
    long ts = 1 + (rnd.nextLong() >>> 2);
    int kind = rnd.nextInt(20);
    if (kind == 0) {
      return Row.tombstone(key, ts);
    }
    long expiry = kind == 1 ? 1 + rnd.nextInt(Integer.MAX_VALUE) : 0;
    byte[] value;
    if (kind == 2) {
      value = new byte[0];
    } else if (kind == 3 && rnd.nextInt(10) == 0) {
      value = new byte[100 << 10];
      rnd.nextBytes(value);
    } else {
      value = new byte[rnd.nextInt(300)];
      // Half compressible text, half random bytes.
      if (rnd.nextBoolean()) {
        for (int i = 0; i < value.length; i++) {
          value[i] = (byte) ('a' + (i % 7));
        }
      } else {
        rnd.nextBytes(value);
      }
    }
    return new Row(key, ts, false, expiry, value);
  }
}
