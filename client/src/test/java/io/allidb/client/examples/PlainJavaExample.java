package io.allidb.client.examples;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.client.AlliClient;
import io.allidb.client.AlliException;
import io.allidb.client.AuthenticationException;
import io.allidb.client.BatchResult;
import io.allidb.client.UnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The plain Java example of docs/client.md (the document quotes this file; ExamplesTest runs it
 * against a real node). Settings come from the environment: ALLIDB_TARGET (host:port),
 * ALLIDB_API_KEY, and ALLIDB_CA (a PEM trust bundle; without it the client talks plaintext, for a
 * development node only).
 */
public final class PlainJavaExample {
  private PlainJavaExample() {}

  public static void main(String[] args) {
    var builder =
        AlliClient.builder()
            .target(System.getenv().getOrDefault("ALLIDB_TARGET", "127.0.0.1:7000"))
            .apiKey(System.getenv("ALLIDB_API_KEY")) // the key decides the tenant
            .consistency(ConsistencyLevel.CONSISTENCY_QUORUM)
            .deadline(Duration.ofSeconds(10));
    String ca = System.getenv("ALLIDB_CA");
    if (ca != null) {
      builder.trustBundle(Path.of(ca));
    } else {
      builder.plaintext();
    }
    try (AlliClient client = builder.build()) {
      run(client);
    } catch (AuthenticationException e) {
      System.err.println("check ALLIDB_API_KEY: " + e.serverMessage());
    } catch (UnavailableException e) {
      System.err.println("no node answered: " + e.getMessage());
    }
  }

  /** Writes a tiny graph, queries it, scans it and cleans up; returns the query's ids. */
  public static List<String> run(AlliClient client) {
    client.put(paper("paper-dynamo", 0.9f, 0.1f, "Dynamo: Amazon's key-value store"));
    BatchResult batch =
        client.putBatch(
            List.of(
                paper("system-cassandra", 0.7f, 0.3f, "Cassandra, a wide-column store").toBuilder()
                    .addOutgoingEdges(edge("system-cassandra", "paper-dynamo", "influenced_by"))
                    .build(),
                person("avinash-lakshman", "Avinash Lakshman").toBuilder()
                    .addIncomingEdges(edge("system-cassandra", "avinash-lakshman", "designed_by"))
                    .build()));
    System.out.println("batch wrote " + batch.successCount() + " entities");

    client.get("paper-dynamo").ifPresent(e -> System.out.println("read " + e.getEntityId()));

    // people reached from papers and systems near the query, with the score explained
    List<QueryResult> results =
        client
            .query()
            .vector(0.8f, 0.2f)
            .k(3)
            .hops(2)
            .direction(TraversalDirection.TRAVERSAL_DIRECTION_BOTH)
            .execute();
    for (QueryResult r : results) {
      var b = r.getBreakdown();
      System.out.printf(
          "%-20s %.3f  vector %.2f graph %.2f hops %d from %s%n",
          r.getEntityId(),
          r.getScore(),
          b.getVector(),
          b.getGraph(),
          b.getHops(),
          b.getSeedEntityId());
    }

    // every entity of the tenant, a page of 100 at a time, fetched lazily
    long count = client.scan().pageSize(100).stream().count();
    System.out.println(count + " entities in the tenant");

    try {
      client.query().vector(1, 2, 3).execute(); // wrong dimension
    } catch (AlliException e) {
      System.out.println("refused: " + e.code() + " " + e.serverMessage());
    }

    client.delete("paper-dynamo");
    return results.stream().map(QueryResult::getEntityId).toList();
  }

  private static Entity paper(String id, float x, float y, String text) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType("paper")
        .addEmbeddings(VectorEmbedding.newBuilder().addVector(x).addVector(y))
        .addChunks(TextChunk.newBuilder().setText(text).putMetadata("source", "example"))
        .build();
  }

  private static Entity person(String id, String name) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType("person")
        .addEmbeddings(VectorEmbedding.newBuilder().addVector(0.1f).addVector(0.9f))
        .addChunks(TextChunk.newBuilder().setText(name))
        .build();
  }

  private static GraphEdge edge(String from, String to, String relation) {
    return GraphEdge.newBuilder()
        .setFromEntity(from)
        .setToEntity(to)
        .setRelation(relation)
        .setWeight(1.0)
        .build();
  }
}
