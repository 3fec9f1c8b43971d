package io.allidb.operator.ring;

/** Progress of a decommission as the leaving node reports it. */
public enum DecommissionStatus {
  NOT_STARTED,
  IN_PROGRESS,
  COMPLETED,
  FAILED
}
