/** Per-key window state that a {@link DueQueue} schedules: when the key's next window closes. */
export interface Scheduled {
  /** `Infinity`: not queued. */
  scheduledAt: number;
}

/**
 * A min-heap of (time, item) pairs: which keys have windows due to close first. Entries are never
 * updated in place; a key re-scheduled earlier is pushed again and the stale entry is skipped when it
 * comes out (its time no longer matches the key's `scheduledAt`).
 */
export class DueQueue<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  private push(time: number, item: T): void {
    const { times, items } = this;
    let i = times.length;
    times.push(time);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = time;
    items[i] = item;
  }

  /** Queues `key` to close at `at`, unless it is already queued for no later. */
  schedule(key: T, state: Scheduled, at: number): void {
    if (at < state.scheduledAt) {
      state.scheduledAt = at;
      this.push(at, key);
    }
  }

  /** Hands every key due at or before `watermark` to `close`, with its state, earliest first. */
  closeDue<S extends Scheduled>(
    watermark: number,
    keys: ReadonlyMap<T, S>,
    close: (key: T, state: S) => void,
  ): void {
    this.drainUntil(watermark, (key, at) => {
      const state = keys.get(key);
      if (state === undefined || state.scheduledAt !== at) return;
      state.scheduledAt = Infinity;
      close(key, state);
    });
  }

  /**
   * Removes every entry due at or before `time`, earliest first, and hands each to `visit` with the time it
   * was queued for (so the caller can recognise stale entries).
   */
  private drainUntil(time: number, visit: (item: T, at: number) => void): void {
    while (this.times.length > 0 && this.times[0]! <= time) {
      const at = this.times[0]!;
      visit(this.pop(), at);
    }
  }

  /** Removes and returns the earliest item. Call only when not empty. */
  private pop(): T {
    const { times, items } = this;
    const top = items[0]!;
    const lastTime = times.pop()!;
    const lastItem = items.pop()!;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && times[r]! < times[l]! ? r : l;
        if (times[c]! >= lastTime) break;
        times[i] = times[c]!;
        items[i] = items[c]!;
        i = c;
      }
      times[i] = lastTime;
      items[i] = lastItem;
    }
    return top;
  }
}
