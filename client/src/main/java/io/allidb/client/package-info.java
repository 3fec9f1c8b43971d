/**
 * The AlliDB Java client: {@link io.allidb.client.AlliClient} for the public API, {@link
 * io.allidb.client.AlliAdminClient} for the node admin API, both built with the same builder
 * conventions ({@link io.allidb.client.ClientBuilder}), and the typed exceptions under {@link
 * io.allidb.client.AlliException}. docs/client.md has the guide and a complete example.
 */
package io.allidb.client;
