package io.allidb.dataplane.storage.row;

import java.io.IOException;

/** A row's bytes passed their checksum but do not decode: a bug or a format mismatch. */
public final class CorruptRowException extends IOException {
  private static final long serialVersionUID = 1L;

  public CorruptRowException(String message) {
    super(message);
  }
}
