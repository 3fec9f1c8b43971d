/**
 * The desired state: pure functions from an {@code AlliCluster} to the Kubernetes objects it should
 * have. Nothing here talks to an API server or a node; it imports only {@code java.*}, fabric8's
 * model classes and {@code io.allidb.operator.api} ({@code ModelPurityTest} checks it). Keeping it
 * pure is what lets the whole rendering be unit-tested against golden YAML.
 */
package io.allidb.operator.model;
