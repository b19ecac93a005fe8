/**
 * Local state of a Gatehouse process: one RocksDB ({@link io.gatehouse.state.StateStore}) with a
 * table (column family) per materialized topic plus consumer positions; the {@link
 * io.gatehouse.state.Materializer} that fills it from Kafka, writing each poll's records and
 * offsets atomically; and liveness judged against the stream ({@link io.gatehouse.state.Liveness}).
 *
 * <p>Bytes live at the bottom ({@link io.gatehouse.state.KeyValueStore}); a table held in memory by
 * its readers is a typed projection through one {@link io.gatehouse.state.TableView}, which loads
 * it, follows the changes and settles the race between the two. RocksDB types never cross this
 * package's API.
 */
package io.gatehouse.state;
