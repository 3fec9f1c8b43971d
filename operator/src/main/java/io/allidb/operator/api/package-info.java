/**
 * The {@code AlliCluster} custom resource ({@code allidb.io/v1alpha1}): plain Jackson POJOs plus
 * schema annotations, nothing else. The CRD in {@code crds/} is generated from these classes.
 */
package io.allidb.operator.api;
