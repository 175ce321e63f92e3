import type { LogBatch } from '../checkpoint/LogTransport.js';

/**
 * Which records a reader sees. `read_committed` (the memory log's default, and what exactly-once needs)
 * stops at the last stable offset — the first offset of a still open transaction — and skips the records
 * of aborted transactions; `read_uncommitted` reads up to the high watermark, aborted records included.
 */
export type Isolation = 'read_committed' | 'read_uncommitted';

/**
 * What a fetch, or one delivery of a subscription, returns: up to `maxRecords` records of one partition in
 * offset order.
 *
 * Offsets in a partition are consecutive as written, but a reader must not assume that the next offset
 * is the last record's plus one: compaction removes records, and every transaction leaves a commit or abort
 * marker that takes an offset and that no reader sees (as in Kafka). Continue from `nextOffset`, and commit
 * `nextOffset` to say "everything before this is done".
 *
 * `highWatermark` is the end offset for the reader's isolation (the last stable offset for
 * `read_committed`): the reader is caught up when `nextOffset` equals it.
 */
export interface FetchResult extends LogBatch {
  /** Where the next read of this partition continues. */
  readonly nextOffset: string;
}
