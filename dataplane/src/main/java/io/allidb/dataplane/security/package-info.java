/**
 * Node security: the API key set ({@link io.allidb.dataplane.security.KeySet}, its line format
 * {@link io.allidb.dataplane.security.KeySetFormat} and the hot-reloading {@link
 * io.allidb.dataplane.security.ReloadingKeySet}), per-RPC scopes ({@link
 * io.allidb.dataplane.security.ScopePolicy}), TLS material that reloads from PEM files ({@link
 * io.allidb.dataplane.security.ReloadingTls}), the internode peer-identity rule ({@link
 * io.allidb.dataplane.security.PeerNames}) and secrets from the environment or files ({@link
 * io.allidb.dataplane.security.SecretSource}).
 *
 * <p>Rule for the whole package: a secret (an API key's secret part, a private key, a provider key)
 * never reaches a log line, an exception message or a {@code toString()}. Operator guide: {@code
 * docs/security.md}. Lower packages never import this one; {@code server} and {@code cli} do.
 */
package io.allidb.dataplane.security;
