package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.TestNode.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.ExtractEntitiesRequest;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.dataplane.ai.AiHttp;
import io.allidb.dataplane.ai.AiOptions;
import io.allidb.dataplane.ai.AiOptions.EmbedOnWrite;
import io.allidb.dataplane.ai.AiOptions.EmbeddingOptions;
import io.allidb.dataplane.ai.AiOptions.LlmOptions;
import io.allidb.dataplane.ai.EntityExtractorTest;
import io.allidb.dataplane.ai.FakeAiServer;
import io.allidb.dataplane.ai.FakeAiServer.Reply;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ExtractEntities RPC on a real node whose LLM is a fake chat server on loopback. */
class ExtractEntitiesTest {
  @TempDir Path dir;
  private final FakeAiServer llm = newServer();
  private TestNode node;

  private static FakeAiServer newServer() {
    try {
      return new FakeAiServer();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    llm.close();
  }

  private void start(boolean withLlm) throws Exception {
    var llmOptions =
        withLlm
            ? new LlmOptions(
                "openai",
                llm.base().resolve("/v1"),
                "fake",
                null,
                0,
                0,
                1,
                new AiHttp.Policy(
                    Duration.ofSeconds(5), 1, Duration.ofMillis(10), Duration.ofSeconds(1)))
            : LlmOptions.none();
    var ai = new AiOptions(EmbeddingOptions.local(EmbedOnWrite.SYNC), llmOptions);
    node = TestNode.overTcp(dir, b -> b.ai(ai));
  }

  @Test
  void writesTheValidatedEntitiesAndEdgesEmbeddedOnWrite() throws Exception {
    start(true);
    llm.then(Reply.ok(EntityExtractorTest.chat("{\"entities\": 3}")));
    llm.then(Reply.ok(EntityExtractorTest.chat(EntityExtractorTest.VALID)));

    var r =
        node.stub(KEY_A)
            .extractEntities(
                ExtractEntitiesRequest.newBuilder()
                    .setText("Ada Lovelace programmed the Analytical Engine.")
                    .setSource("ada.txt")
                    .build());

    assertThat(r.getAttempts()).isEqualTo(2);
    assertThat(r.getSchemaVersion()).isEqualTo("entity-graph/v1");
    assertThat(r.getRelationCount()).isEqualTo(1);
    var ada =
        node.stub(KEY_A)
            .getEntity(GetEntityRequest.newBuilder().setEntityId("person:ada").build())
            .getEntity();
    assertThat(ada.getEntityType()).isEqualTo("person");
    assertThat(ada.getOutgoingEdges(0).getToEntity()).isEqualTo("machine:engine");
    assertThat(ada.getEmbeddings(0).getVectorCount()).isEqualTo(384);
    assertThat(ada.getChunks(0).getMetadataMap()).containsEntry("source", "ada.txt");
  }

  @Test
  void anAnswerThatNeverValidatesIsUnavailableWithTheErrorsAndWritesNothing() throws Exception {
    start(true);
    llm.always(
        Reply.ok(EntityExtractorTest.chat("{\"entities\": [], \"relations\": [], \"x\": 1}")));

    assertThatThrownBy(
            () ->
                node.stub(KEY_A)
                    .extractEntities(ExtractEntitiesRequest.newBuilder().setText("t").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("after 2 attempt(s)")
        .hasMessageContaining("x");
  }

  @Test
  void withoutAnLlmTheRpcSaysHowToConfigureOne() throws Exception {
    start(false);
    assertThatThrownBy(
            () ->
                node.stub(KEY_A)
                    .extractEntities(ExtractEntitiesRequest.newBuilder().setText("t").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("--llm-provider");
  }
}
