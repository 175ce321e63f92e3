import type { Headers, StreamRecord } from '../core/StreamRecord.js';
import type { KeyChange } from '../state/ChangeTracker.js';
import type { WindowStore } from './WindowStore.js';

/**
 * A window store per input partition, for a runtime that moves partitions between instances. Each
 * partition's windows close at the operator watermark, except while the partition's own watermark is
 * behind it: a partition assigned (and restored) after the others had moved on closes its windows by its
 * own event time until it catches up, so the records it replays are not late. When partitions are only
 * ever added at the start, this closes every window exactly when the operator watermark does.
 *
 * Records of one key are expected to come from one partition (window inputs are partitioned by key); a
 * key seen on two partitions has separate windows on each, as with Kafka Streams' tasks.
 */
export class PartitionedStore<K, V> implements WindowStore<K, V> {
  private readonly stores = new Map<number, PartitionWindows<K, V>>();
  private watermark = -Infinity;
  private lastPartition = NaN;
  private last: PartitionWindows<K, V> | undefined;

  /**
   * @param create a store for one partition's keys
   * @param partitionWatermark a partition's own watermark; `Infinity` when it should not hold its windows
   *   back (idle, or unknown)
   */
  constructor(
    private readonly create: () => WindowStore<K, V>,
    private readonly partitionWatermark: (partition: number) => number,
  ) {}

  add(key: K, value: V, timestamp: number, headers: Headers, from: StreamRecord<unknown, unknown>): boolean {
    const partition = from.origin === undefined ? 0 : from.origin.partition;
    let windows = this.last;
    if (partition !== this.lastPartition || windows === undefined) windows = this.windowsOf(partition);
    // A partition behind the others closes its windows as its own watermark moves, record by record.
    if (windows.behind) this.close(partition, windows);
    return windows.store.add(key, value, timestamp, headers, from);
  }

  advance(watermark: number): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    for (const [partition, windows] of this.stores) this.close(partition, windows);
  }

  /**
   * Closes what the partitions behind the operator watermark can close by now. Called after each chunk:
   * within a chunk each record closes what the ones before it allowed, and this catches the last one.
   */
  closeBehind(): void {
    for (const [partition, windows] of this.stores) if (windows.behind) this.close(partition, windows);
  }

  entries(): number {
    let n = 0;
    for (const { store } of this.stores.values()) n += store.entries();
    return n;
  }

  changes(owned: (partition: number) => boolean): KeyChange<K, unknown>[] {
    const out: KeyChange<K, unknown>[] = [];
    for (const [partition, { store }] of this.stores) if (owned(partition)) out.push(...store.changes(owned));
    return out;
  }

  restore(key: K, partition: number, snapshot: unknown): void {
    this.windowsOf(partition).store.restore(key, partition, snapshot);
  }

  drop(partitions: ReadonlySet<number>): void {
    for (const partition of partitions) this.stores.delete(partition);
    this.lastPartition = NaN;
    this.last = undefined;
  }

  private windowsOf(partition: number): PartitionWindows<K, V> {
    let windows = this.stores.get(partition);
    if (windows === undefined) {
      // Closed at the next record or watermark, once the partition's own event time is known (a restore
      // loads it beside the state).
      windows = { store: this.create(), closedAt: -Infinity, behind: true };
      this.stores.set(partition, windows);
    }
    this.lastPartition = partition;
    this.last = windows;
    return windows;
  }

  /** Closes the partition's windows up to the lower of the operator's and the partition's watermark. */
  private close(partition: number, windows: PartitionWindows<K, V>): void {
    const { watermark } = this;
    // The end of input closes everything.
    const own = watermark === Infinity ? Infinity : this.partitionWatermark(partition);
    const target = own < watermark ? own : watermark;
    windows.behind = target < watermark;
    if (target > windows.closedAt) {
      windows.closedAt = target;
      windows.store.advance(target);
    }
  }
}

interface PartitionWindows<K, V> {
  readonly store: WindowStore<K, V>;
  /** The watermark this partition's windows were closed at. */
  closedAt: number;
  /** Whether the partition's own watermark is behind the operator's. */
  behind: boolean;
}
