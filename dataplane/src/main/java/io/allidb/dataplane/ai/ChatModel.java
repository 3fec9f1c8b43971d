package io.allidb.dataplane.ai;

import java.io.IOException;
import java.util.List;

/** An LLM that answers a conversation. Implementations must be thread-safe. */
public interface ChatModel {

  /** One turn of a conversation; role is {@code system}, {@code user} or {@code assistant}. */
  record Message(String role, String content) {}

  /** A short name for logs, metrics and errors. */
  String name();

  /**
   * The model's answer to {@code messages}, asked for JSON output where the service supports it.
   *
   * @throws IOException when the call fails after its transport retries
   */
  String complete(List<Message> messages) throws IOException;
}
