package io.allidb.dataplane.index.vector;

/**
 * One search result.
 *
 * @param entityId the entity the vector belongs to
 * @param similarity jvector's similarity score for the index's {@link VectorMetric}; higher is
 *     closer. {@link VectorMetric#COSINE}: {@code (1 + cos) / 2} in {@code [0, 1]}. {@link
 *     VectorMetric#DOT_PRODUCT}: {@code (1 + dot) / 2}, in {@code [0, 1]} for unit vectors. {@link
 *     VectorMetric#EUCLIDEAN}: {@code 1 / (1 + squaredDistance)} in {@code (0, 1]}.
 */
public record VectorHit(String entityId, float similarity) {}
