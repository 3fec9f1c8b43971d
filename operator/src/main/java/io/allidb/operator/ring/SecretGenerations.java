package io.allidb.operator.ring;

/** The key-set and certificate generations a node has loaded (admin ReloadSecrets reply). */
public record SecretGenerations(long keySet, long certificate) {}
