/**
 * API keys per tenant (issue 8): generation, the hashed node key set in the data plane's key-set
 * format, and rotation with an overlap, all without restarts. {@link
 * io.allidb.operator.keys.KeyRotationPlanner} is pure and clock-driven; {@link
 * io.allidb.operator.keys.ApiKeyStep} applies it.
 */
package io.allidb.operator.keys;
