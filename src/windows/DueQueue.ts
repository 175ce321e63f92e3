/**
 * A min-heap of (time, item) pairs: which keys have windows due to close first. Entries are never
 * updated in place; a key re-scheduled earlier is pushed again and the stale entry is skipped by the caller
 * (it compares the popped time with the key's current schedule).
 */
export class DueQueue<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.times.length;
  }

  /** Time of the earliest entry, or `Infinity` when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Infinity : this.times[0]!;
  }

  push(time: number, item: T): void {
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

  /**
   * Removes every entry due at or before `time`, earliest first, and hands each to `visit` with the time it
   * was queued for (so the caller can recognise stale entries).
   */
  drainUntil(time: number, visit: (item: T, at: number) => void): void {
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
