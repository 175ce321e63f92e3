import type { LogRecord } from '../checkpoint/LogTransport.js';
import type { FetchResult, Isolation } from './FetchResult.js';

/**
 * Where a transaction stands. Each of its records points at the one status object, so a commit or an abort
 * changes what readers see in every partition at once.
 */
export interface TransactionStatus {
  state: 'open' | 'committed' | 'aborted';
}

/** A record's content before the log gives it a place. */
export interface Appendable {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Readonly<Record<string, Uint8Array>>;
  readonly timestamp: number;
}

/** Builds a map key from key bytes: one UTF-16 code unit per byte, so distinct keys stay distinct. */
const keyString = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
};

/**
 * One partition of a topic: its entries in offset order, the log start offset, the high watermark and the
 * open transactions that hold back the last stable offset. Internal to the memory log.
 *
 * Entries live in three parallel arrays rather than one object each, so an append allocates only the record
 * that readers get.
 */
export class PartitionLog {
  /** Ascending; gaps appear where compaction or `deleteBefore` removed entries. */
  private offsets: number[] = [];
  /** `null` marks a transaction marker, which takes an offset but is never read. */
  private records: (LogRecord | null)[] = [];
  /** The transaction an entry belongs to, or `null` outside transactions. */
  private transactions: (TransactionStatus | null)[] = [];
  /** Each open transaction that wrote here, with its first offset in this partition. */
  private readonly open = new Map<TransactionStatus, number>();
  private start = 0;
  private end = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** The log start offset. */
  get beginning(): number {
    return this.start;
  }

  /** The offset the next entry will take. */
  get highWatermark(): number {
    return this.end;
  }

  /** The first offset of an open transaction, or the high watermark when none is open. */
  get lastStable(): number {
    let stable = this.end;
    for (const first of this.open.values()) if (first < stable) stable = first;
    return stable;
  }

  endFor(isolation: Isolation): number {
    return isolation === 'read_committed' ? this.lastStable : this.end;
  }

  append(content: Appendable, transaction: TransactionStatus | null): LogRecord {
    const offset = this.end++;
    const record: LogRecord = {
      topic: this.topic,
      partition: this.partition,
      offset: String(offset),
      key: content.key,
      value: content.value,
      headers: content.headers,
      timestamp: content.timestamp,
    };
    this.offsets.push(offset);
    this.records.push(record);
    this.transactions.push(transaction);
    if (transaction !== null && !this.open.has(transaction)) this.open.set(transaction, offset);
    return record;
  }

  /** Writes the marker of a transaction that wrote to this partition and is now committed or aborted. */
  endTransaction(transaction: TransactionStatus): void {
    if (!this.open.delete(transaction)) return;
    this.offsets.push(this.end++);
    this.records.push(null);
    this.transactions.push(transaction);
  }

  /** Reads from `from`, which the caller has checked is within `[beginning, highWatermark]`. */
  read(from: number, maxRecords: number, isolation: Isolation): FetchResult {
    const end = this.endFor(isolation);
    const records: LogRecord[] = [];
    let next = Math.max(from, end);
    for (let i = this.indexOf(from); i < this.offsets.length; i++) {
      const offset = this.offsets[i]!;
      if (offset >= end) break;
      const record = this.records[i] ?? null;
      if (record === null) continue;
      if (isolation === 'read_committed' && this.transactions[i]?.state === 'aborted') continue;
      records.push(record);
      if (records.length === maxRecords) {
        next = offset + 1;
        break;
      }
    }
    return {
      topic: this.topic,
      partition: this.partition,
      records,
      highWatermark: String(end),
      nextOffset: String(next),
    };
  }

  /**
   * Keeps the last record per key below the last stable offset and drops tombstones, aborted records and
   * markers there; entries from the last stable offset on are left as they are, as Kafka's cleaner never
   * cleans past it. Offsets do not change. Returns the number of records and markers removed.
   */
  compact(): number {
    const cleanable = this.lastStable;
    const latest = new Map<string, number>();
    for (let i = 0; i < this.offsets.length && this.offsets[i]! < cleanable; i++) {
      const record = this.records[i] ?? null;
      if (record !== null && record.key !== null && this.transactions[i]?.state !== 'aborted') {
        latest.set(keyString(record.key), this.offsets[i]!);
      }
    }
    const before = this.offsets.length;
    this.retain((offset, record, transaction) => {
      if (offset >= cleanable) return true;
      if (record === null || transaction?.state === 'aborted') return false;
      if (record.key === null) return true;
      return record.value !== null && latest.get(keyString(record.key)) === offset;
    });
    return before - this.offsets.length;
  }

  /** Moves the log start offset up to `offset` (at most the high watermark), removing what lies before. */
  deleteBefore(offset: number): void {
    if (offset <= this.start) return;
    this.start = offset;
    const count = this.indexOf(offset);
    this.offsets.splice(0, count);
    this.records.splice(0, count);
    this.transactions.splice(0, count);
  }

  /** The index of the first entry at or after `offset`. */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private retain(
    keep: (offset: number, record: LogRecord | null, transaction: TransactionStatus | null) => boolean,
  ): void {
    const offsets: number[] = [];
    const records: (LogRecord | null)[] = [];
    const transactions: (TransactionStatus | null)[] = [];
    for (let i = 0; i < this.offsets.length; i++) {
      const offset = this.offsets[i]!;
      const record = this.records[i] ?? null;
      const transaction = this.transactions[i] ?? null;
      if (!keep(offset, record, transaction)) continue;
      offsets.push(offset);
      records.push(record);
      transactions.push(transaction);
    }
    this.offsets = offsets;
    this.records = records;
    this.transactions = transactions;
  }
}
