/** Small helpers shared by the node's packages; no business logic. */
package io.allidb.dataplane.util;
