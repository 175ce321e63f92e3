/** Per-key state that a {@link ChangeTracker} follows: the input partition it belongs to, and whether it changed. */
export interface Tracked {
  /** The input partition of the key's latest record: its state is checkpointed and restored with it. */
  partition: number;
  /** Changed since the last checkpoint (set by the tracker). */
  dirty: boolean;
}

/** A key's state as of a checkpoint: `state` undefined when the key holds nothing any more. */
export interface KeyChange<K, S> {
  readonly key: K;
  readonly partition: number;
  readonly state: S | undefined;
}

/**
 * Remembers which keys of a store changed since the last checkpoint, at the cost of one flag test per
 * record, so that a checkpoint writes only those keys to the changelog.
 */
export class ChangeTracker<K> {
  private changed: { readonly key: K; readonly partition: number }[] = [];

  /** The key's state changed. */
  touch(key: K, state: Tracked): void {
    if (state.dirty) return;
    state.dirty = true;
    this.changed.push({ key, partition: state.partition });
  }

  /** The key's state is gone (its last window closed). */
  removed(key: K, state: Tracked): void {
    this.changed.push({ key, partition: state.partition });
  }

  /** Forgets every change (state that was dropped, or is about to be restored). */
  clear(): void {
    this.changed = [];
  }

  /**
   * Every key changed since the last call, once, with its current state (from `keys`), for the partitions
   * that `owned` accepts; the others' changes are forgotten (their new owner restores them).
   */
  drain<S extends Tracked>(
    keys: ReadonlyMap<K, S>,
    owned: (partition: number) => boolean,
  ): KeyChange<K, S>[] {
    const seen = new Set<K>();
    const out: KeyChange<K, S>[] = [];
    for (let i = this.changed.length - 1; i >= 0; i--) {
      const { key, partition } = this.changed[i]!;
      if (seen.has(key)) continue;
      seen.add(key);
      const state = keys.get(key);
      if (state !== undefined) state.dirty = false;
      const at = state?.partition ?? partition;
      if (owned(at)) out.push({ key, partition: at, state });
    }
    this.changed = [];
    return out.reverse();
  }
}
