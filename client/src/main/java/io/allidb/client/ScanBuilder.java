package io.allidb.client;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.RangeScanResponse;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A cluster-wide scan of the key's tenant in entity id order, read a page at a time: a page is
 * fetched only when the previous one is consumed, following the node's opaque page token (which
 * resumes on any node, so pages may come from different nodes). Each page fetch is one call with
 * the client's deadline and is retried on {@code UNAVAILABLE}. Entities written during the scan
 * appear if their id sorts after the current position.
 *
 * <p>The builder is not thread-safe; each {@link #iterator()} / {@link #stream()} is a new scan for
 * one thread.
 */
public final class ScanBuilder {
  /** The node's largest page. */
  public static final int MAX_PAGE_SIZE = 1000;

  private final AlliClient client;
  private String startKey = "";
  private String endKey = "";
  private int pageSize = 100;
  private ConsistencyLevel consistency;

  ScanBuilder(AlliClient client) {
    this.client = client;
    this.consistency = client.consistency();
  }

  /** First entity id (inclusive); default: the beginning. */
  public ScanBuilder from(String startKey) {
    this.startKey = startKey;
    return this;
  }

  /** Entity id where the scan stops (exclusive); default: the end. */
  public ScanBuilder to(String endKey) {
    this.endKey = endKey;
    return this;
  }

  /** Entities per call, 1..1000 (default 100). */
  public ScanBuilder pageSize(int pageSize) {
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "pageSize must be in 1.." + MAX_PAGE_SIZE + "; got " + pageSize);
    }
    this.pageSize = pageSize;
    return this;
  }

  /** This scan's consistency level (else the client's). */
  public ScanBuilder consistency(ConsistencyLevel level) {
    this.consistency = level;
    return this;
  }

  /** A lazy iterator over every entity in range. Its methods throw {@link AlliException}. */
  public Iterator<Entity> iterator() {
    return new Pages();
  }

  /** A lazy, ordered, sequential stream over every entity in range. */
  public Stream<Entity> stream() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            iterator(), Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT),
        false);
  }

  private final class Pages implements Iterator<Entity> {
    private List<Entity> page = List.of();
    private int index;
    private String token = "";
    private boolean last;

    @Override
    public boolean hasNext() {
      // a page may come back empty with a token (e.g. everything in it was deleted): keep going
      while (index == page.size() && !last) {
        fetch();
      }
      return index < page.size();
    }

    @Override
    public Entity next() {
      if (!hasNext()) {
        throw new NoSuchElementException("the scan has no more entities");
      }
      return page.get(index++);
    }

    private void fetch() {
      var request =
          RangeScanRequest.newBuilder()
              .setStartKey(startKey)
              .setEndKey(endKey)
              .setLimit(pageSize)
              .setPageToken(token);
      if (consistency != null) {
        request.setConsistencyLevel(consistency);
      }
      RangeScanResponse response =
          AlliClient.call("scan", () -> client.stub().rangeScan(request.build()));
      page = response.getEntitiesList();
      index = 0;
      token = response.getNextPageToken();
      last = token.isEmpty();
    }
  }
}
