/** RocksDB implementation of the state store and the materializer's machinery; not an API. */
package io.gatehouse.state.internals;
