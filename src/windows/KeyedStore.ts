import type { StreamRecord } from '../core/StreamRecord.js';
import { ChangeTracker, type KeyChange, type Tracked } from '../state/ChangeTracker.js';
import { DueQueue, type Scheduled } from './DueQueue.js';

/**
 * What the window stores share: per-key state in a map, a queue of when each key's next window closes,
 * and the tracking of changed keys that checkpoints write to the changelog. A store says how its state is
 * created (`fresh`), written (`encode`, plain data) and read back (`decode`), and when a key is due (`schedule`).
 */
export abstract class KeyedStore<K, S extends Tracked & Scheduled, Snapshot> {
  protected readonly keys = new Map<K, S>();
  protected readonly due = new DueQueue<K>();
  protected readonly tracker = new ChangeTracker<K>();

  /** An empty state for a key of `partition`. */
  protected abstract fresh(partition: number): S;
  protected abstract encode(state: S): Snapshot;
  protected abstract decode(snapshot: Snapshot, partition: number): S;
  protected abstract schedule(key: K, state: S): void;

  /** What changed since the last call, per key of the owned partitions, as changelog records. */
  changes(owned: (partition: number) => boolean): KeyChange<K, Snapshot>[] {
    return this.tracker.drain(this.keys, owned).map(({ key, partition, state }) => ({
      key,
      partition,
      state: state === undefined ? undefined : this.encode(state),
    }));
  }

  /** Loads a key's state as a checkpoint wrote it, before any record of its partition is processed. */
  restore(key: K, partition: number, snapshot: unknown): void {
    const state = this.decode(snapshot as Snapshot, partition);
    this.keys.set(key, state);
    this.schedule(key, state);
  }

  /** Forgets the keys of these partitions (revoked: their new owner restores them from the changelog). */
  drop(partitions: ReadonlySet<number>): void {
    for (const [key, state] of this.keys) if (partitions.has(state.partition)) this.keys.delete(key);
  }

  /**
   * The key's state, created when new, marked changed. Its partition is the record's: window inputs are
   * expected to be partitioned by the key they are windowed by, so a key's records all come from one.
   */
  protected stateFor(key: K, from: StreamRecord<unknown, unknown>): S {
    const partition = from.origin === undefined ? 0 : from.origin.partition;
    let state = this.keys.get(key);
    if (state === undefined) {
      state = this.fresh(partition);
      this.keys.set(key, state);
    }
    state.partition = partition;
    this.tracker.touch(key, state);
    return state;
  }

  /** Deletes a key whose last window closed. */
  protected remove(key: K, state: S): void {
    this.keys.delete(key);
    this.tracker.removed(key, state);
  }
}
