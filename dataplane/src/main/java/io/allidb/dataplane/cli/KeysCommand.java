package io.allidb.dataplane.cli;

import io.allidb.dataplane.security.ApiKeyEntry;
import io.allidb.dataplane.security.ApiKeyGenerator;
import io.allidb.dataplane.security.KeySetFormat;
import io.allidb.dataplane.security.Scope;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code allidb keys}: mints API keys and migrates old key files. Only hash entries are ever
 * written to a key set; a presented key is printed once, to stdout, and nowhere else.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage API key sets (hash entries only; see docs/security.md).",
    subcommands = {KeysCommand.Create.class, KeysCommand.Migrate.class})
final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** {@code allidb keys create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Mint a key: prints the key <id>.<secret> once on stdout and its hash entry on stderr,"
              + " or appends the entry to --key-set.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--id", required = true, description = "Key id, [A-Za-z0-9_-]{1,64}.")
    String id;

    @Option(names = "--tenant", required = true, description = "Tenant the key authenticates.")
    String tenant;

    @Option(
        names = "--scopes",
        defaultValue = "read,write",
        description = "Comma-separated read, write, admin (default: ${DEFAULT-VALUE}).")
    String scopes;

    @Option(
        names = "--expires-in",
        converter = ClientOptions.DurationConverter.class,
        description = "Validity from --not-before or now, e.g. 2160h (90 days).")
    Duration expiresIn;

    @Option(names = "--expires", description = "Expiry instant, e.g. 2026-03-01T00:00:00Z.")
    Instant expires;

    @Option(names = "--not-before", description = "First valid instant (default: now).")
    Instant notBefore;

    @Option(
        names = "--key-set",
        description = "Key set file to append the hash entry to (created 0600 if missing).")
    Path keySet;

    @Override
    public Integer call() throws IOException {
      if (expires != null && expiresIn != null) {
        throw new ParameterException(spec.commandLine(), "--expires or --expires-in, not both");
      }
      Instant until =
          expiresIn == null
              ? expires
              : (notBefore != null ? notBefore : Instant.now()).plus(expiresIn);
      ApiKeyGenerator.Minted minted;
      try {
        minted = ApiKeyGenerator.mint(id, tenant, Scope.parseList(scopes), notBefore, until);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      String line = KeySetFormat.format(minted.entry());
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (keySet != null) {
        appendOwnerOnly(keySet, line);
        err.println("appended key " + id + " to " + keySet);
      } else {
        err.println("key set entry (store it in the node's key set Secret):");
        err.println(line);
      }
      err.println("the key (shown once; hand it to the client):");
      out.println(minted.presented());
      out.flush();
      return 0;
    }
  }

  /** {@code allidb keys migrate}. */
  @Command(
      name = "migrate",
      mixinStandardHelpOptions = true,
      description =
          "Rewrite a legacy '<key-id>.<secret> <tenant>' key file as hash entries (scopes"
              + " read,write); the clients keep their keys.")
  static final class Migrate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--in", required = true, description = "Legacy key file.")
    Path in;

    @Option(names = "--out", required = true, description = "New key set file (must not exist).")
    Path out;

    @Override
    public Integer call() throws IOException {
      List<ApiKeyEntry> entries;
      try {
        entries = KeySetFormat.parse(Files.readAllLines(in, StandardCharsets.UTF_8), in.toString());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      var lines = new ArrayList<String>();
      lines.add("# migrated from " + in.getFileName() + " by allidb keys migrate");
      for (ApiKeyEntry e : entries) {
        lines.add(
            KeySetFormat.format(
                new ApiKeyEntry(
                    e.id(),
                    e.secretSha256(),
                    e.tenant(),
                    e.scopes(),
                    e.notBefore(),
                    e.expiresAt(),
                    false)));
      }
      createOwnerOnly(out);
      Files.write(out, lines, StandardCharsets.UTF_8);
      spec.commandLine()
          .getErr()
          .println("wrote " + entries.size() + " hash entries to " + out + "; delete " + in);
      return 0;
    }
  }

  static void appendOwnerOnly(Path file, String line) throws IOException {
    if (Files.notExists(file)) {
      createOwnerOnly(file);
    }
    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private static void createOwnerOnly(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
  }
}
