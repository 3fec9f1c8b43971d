package io.allidb.dataplane.cli;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a document into chunks of at most {@code maxChars}: paragraphs (blank-line separated) are
 * packed together while they fit; a longer paragraph is cut at sentence boundaries ({@link
 * BreakIterator}), and a single sentence longer than the limit at the last space before it.
 * Thread-safe: immutable. Public for the ingest benchmark, which measures this code path.
 */
public final class Chunker {
  private final int maxChars;

  public Chunker(int maxChars) {
    if (maxChars < 50) {
      throw new IllegalArgumentException("chunk size must be >= 50 characters; got " + maxChars);
    }
    this.maxChars = maxChars;
  }

  public List<String> chunks(String text) {
    var pieces = new ArrayList<String>();
    for (String para : text.replace("\r\n", "\n").split("\n\\s*\n")) {
      String p = para.strip().replaceAll("\\s+", " ");
      if (p.isEmpty()) {
        continue;
      }
      if (p.length() <= maxChars) {
        pieces.add(p);
      } else {
        pieces.addAll(sentences(p));
      }
    }
    var out = new ArrayList<String>();
    var current = new StringBuilder();
    for (String piece : pieces) {
      if (current.length() > 0 && current.length() + 1 + piece.length() > maxChars) {
        out.add(current.toString());
        current.setLength(0);
      }
      if (current.length() > 0) {
        current.append('\n');
      }
      current.append(piece);
    }
    if (current.length() > 0) {
      out.add(current.toString());
    }
    return out;
  }

  private List<String> sentences(String p) {
    var out = new ArrayList<String>();
    var it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(p);
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String s = p.substring(start, end).strip();
      while (s.length() > maxChars) {
        int cut = s.lastIndexOf(' ', maxChars);
        cut = cut <= 0 ? maxChars : cut;
        out.add(s.substring(0, cut).strip());
        s = s.substring(cut).strip();
      }
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
