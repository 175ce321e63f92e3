import type { Headers, StreamRecord } from '../core/StreamRecord.js';
import type { KeyChange } from '../state/ChangeTracker.js';
import type { EmitMode } from './WindowResult.js';

/**
 * Receives a record that a store accepted but that, as it turned out, no window ever counted: for sliding
 * windows, a record whose own windows were closed and which no later record's window came to contain.
 */
export type Unplaced<K, V> = (record: StreamRecord<K, V>) => void;

/** Receives a window result from a store: the key, the window bounds (end exclusive) and the value. */
export type EmitWindow<K, R> = (emit: EmitMode, key: K, start: number, end: number, value: R) => void;

/**
 * The keyed state of one windowed aggregation: pure, synchronous, driven by records and watermarks.
 * Stores emit `final` results when windows close (in final mode) or `updates` on every change.
 */
export interface WindowStore<K, V> {
  /**
   * Adds a record at the current watermark; returns `false` when it is late (all its windows closed). The
   * record comes as its fields plus the record it was derived from (see `Next`), so that stores that only
   * fold values never need a record object.
   */
  add(key: K, value: V, timestamp: number, headers: Headers, from: StreamRecord<unknown, unknown>): boolean;
  /** Raises the watermark, closing and releasing every window that it closes. */
  advance(watermark: number): void;
  /** Entries held (panes, windows, sessions, buffered records): zero once every window has closed. */
  entries(): number;
  /** What changed since the last call, per key of the owned partitions, as changelog records. */
  changes(owned: (partition: number) => boolean): KeyChange<K, unknown>[];
  /** Loads a key's state as a checkpoint wrote it, before any record of its partition is processed. */
  restore(key: K, partition: number, snapshot: unknown): void;
  /** Forgets the keys of these partitions (revoked: their new owner restores them from the changelog). */
  drop(partitions: ReadonlySet<number>): void;
}

/** Index of the first element of sorted `xs` that is `>= x`. */
export const lowerBound = (xs: readonly number[], x: number): number => {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Index of the first element of sorted `xs` that is `> x`. */
export const upperBound = (xs: readonly number[], x: number): number => {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
