package io.allidb.dataplane.cli;

import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.RangeScanResponse;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code allidb scan}: prints the tenant's entities in id order as JSON lines (or ids only),
 * following page tokens until the range is exhausted or {@code --max} entities were printed.
 *
 * <p>Not thread-safe; one instance per invocation.
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = "Print entities in id order as JSON lines, following page tokens.")
final class ScanCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @Option(names = "--start", defaultValue = "", description = "First id (inclusive).")
  String start;

  @Option(names = "--end", defaultValue = "", description = "End id (exclusive); empty: no end.")
  String end;

  @Option(
      names = "--page-size",
      defaultValue = "100",
      description = "Entities per call (default: ${DEFAULT-VALUE}).")
  int pageSize;

  @Option(names = "--max", defaultValue = "0", description = "Stop after this many; 0: all.")
  long max;

  @Option(names = "--ids-only", description = "Print ids, one per line.")
  boolean idsOnly;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var channel = client.channel();
    try {
      var stub = client.stub(channel);
      String token = "";
      long printed = 0;
      do {
        RangeScanResponse page =
            client
                .withDeadline(stub)
                .rangeScan(
                    RangeScanRequest.newBuilder()
                        .setStartKey(start)
                        .setEndKey(end)
                        .setLimit(pageSize)
                        .setPageToken(token)
                        .build());
        for (var e : page.getEntitiesList()) {
          out.println(idsOnly ? e.getEntityId() : Json.line(e));
          if (++printed == max) {
            return 0;
          }
        }
        token = page.getNextPageToken();
      } while (!token.isEmpty());
    } finally {
      channel.shutdownNow();
    }
    return 0;
  }
}
