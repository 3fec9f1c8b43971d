package io.allidb.dataplane.cli;

import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code allidb put}, {@code get} and {@code delete}: one entity per call, JSON in and out.
 *
 * <p>Not thread-safe; one instance per invocation.
 */
final class EntityCommands {
  private EntityCommands() {}

  /** {@code allidb put [FILE]}: writes the entity JSON in FILE, or stdin with no FILE or "-". */
  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = "Write one entity from a JSON file (or stdin); prints the response.")
  static final class Put implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "Entity JSON file; '-' or none: stdin.")
    Path file;

    @Override
    public Integer call() throws Exception {
      String json =
          file == null || file.toString().equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(file);
      Entity entity = Json.parse(json, Entity.newBuilder()).build();
      var channel = client.channel();
      try {
        var response =
            client
                .withDeadline(client.stub(channel))
                .putEntity(PutEntityRequest.newBuilder().setEntity(entity).build());
        out().println(Json.pretty(response));
      } finally {
        channel.shutdownNow();
      }
      return 0;
    }

    private PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  /** {@code allidb get ID}. */
  @Command(name = "get", mixinStandardHelpOptions = true, description = "Print one entity as JSON.")
  static final class Get implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "Entity id.")
    String id;

    @Override
    public Integer call() throws Exception {
      var channel = client.channel();
      try {
        var response =
            client
                .withDeadline(client.stub(channel))
                .getEntity(GetEntityRequest.newBuilder().setEntityId(id).build());
        spec.commandLine().getOut().println(Json.pretty(response.getEntity()));
      } finally {
        channel.shutdownNow();
      }
      return 0;
    }
  }

  /** {@code allidb delete ID}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one entity.")
  static final class Delete implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "Entity id.")
    String id;

    @Override
    public Integer call() throws Exception {
      var channel = client.channel();
      try {
        client
            .withDeadline(client.stub(channel))
            .deleteEntity(DeleteEntityRequest.newBuilder().setEntityId(id).build());
        spec.commandLine().getOut().println("deleted " + id);
      } finally {
        channel.shutdownNow();
      }
      return 0;
    }
  }
}
