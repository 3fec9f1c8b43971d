/**
 * A node's entities: storage plus the indexes kept in step with it ({@link
 * io.allidb.dataplane.node.EntityStore}).
 */
package io.allidb.dataplane.node;
