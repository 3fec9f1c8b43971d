/** File-system seam of the storage engine: real I/O in production, fault injection in tests. */
package io.allidb.dataplane.storage.io;
