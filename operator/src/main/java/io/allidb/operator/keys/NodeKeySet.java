package io.allidb.operator.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * The node key-set Secret's one file ({@value #FILE}): a header line {@code # generation: <n>} (a
 * comment to the node's parser; the node reports the number as its key-set generation) and one
 * {@link KeyLine} per key.
 *
 * @param handledRotation the last rotation request acted on (an annotation on the Secret)
 */
public record NodeKeySet(long generation, List<KeyLine> lines, String handledRotation) {
  public static final String FILE = "keys";
  public static final String GENERATION_PREFIX = "# generation: ";

  public NodeKeySet {
    lines = List.copyOf(lines);
  }

  public static NodeKeySet empty() {
    return new NodeKeySet(0, List.of(), null);
  }

  public String render() {
    var sb = new StringBuilder(GENERATION_PREFIX).append(generation).append('\n');
    sb.append("# written by the AlliDB operator: hashes only, keys are in the tenant Secrets\n");
    lines.forEach(l -> sb.append(l.format()).append('\n'));
    return sb.toString();
  }

  /**
   * @throws IllegalArgumentException naming {@code source} and line
   */
  public static NodeKeySet parse(String text, String source, String handledRotation) {
    long generation = 0;
    var lines = new ArrayList<KeyLine>();
    var all = text.split("\n", -1);
    for (int i = 0; i < all.length; i++) {
      var line = all[i].strip();
      if (line.startsWith(GENERATION_PREFIX)) {
        try {
          generation = Long.parseLong(line.substring(GENERATION_PREFIX.length()).strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(source + " line " + (i + 1) + ": bad generation");
        }
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        lines.add(KeyLine.parse(line, source + " line " + (i + 1)));
      }
    }
    return new NodeKeySet(generation, lines, handledRotation);
  }
}
