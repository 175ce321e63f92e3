import { withEntryMerge, type Aggregator } from './Aggregator.js';
import type { Headers, StreamRecord } from '../core/StreamRecord.js';
import type { Tracked } from '../state/ChangeTracker.js';
import type { Scheduled } from './DueQueue.js';
import { KeyedStore } from './KeyedStore.js';
import type { EmitWindow, WindowStore } from './WindowStore.js';

interface Session<A> {
  first: number;
  last: number;
  acc: A;
}

class KeySessions<A> implements Tracked, Scheduled {
  /** Open sessions, by `first`; they never overlap within `gap`. */
  readonly sessions: Session<A>[] = [];
  scheduledAt = Infinity;
  dirty = false;
  constructor(public partition: number) {}
}

/**
 * Session windows with inactivity gap `gap`: a record within `gap` (inclusive) of open sessions merges them
 * and itself into one. A session `[first, last]` closes when the watermark reaches
 * `last + gap + 1 + grace` and reports `{ start: first, end: last + 1 }`. Closed sessions never reopen; a
 * record is late when even a session of its own would already be closed.
 */
export class SessionStore<K, V, A, R>
  extends KeyedStore<K, KeySessions<unknown>, readonly Session<unknown>[]>
  implements WindowStore<K, V>
{
  private readonly agg: Aggregator<V, unknown, R>;
  private watermark = -Infinity;

  constructor(
    private readonly gapMs: number,
    private readonly graceMs: number,
    aggregator: Aggregator<V, A, R>,
    private readonly mode: 'final' | 'updates',
    private readonly emit: EmitWindow<K, R>,
  ) {
    super();
    this.agg = (aggregator.merge ? aggregator : withEntryMerge(aggregator)) as Aggregator<V, unknown, R>;
  }

  add(key: K, value: V, timestamp: number, _headers: Headers, from: StreamRecord<unknown, unknown>): boolean {
    const gap = this.gapMs;
    if (timestamp + gap + 1 + this.graceMs <= this.watermark) return false;
    const state = this.stateFor(key, from);
    const { sessions } = state;
    let lo = 0;
    while (lo < sessions.length && sessions[lo]!.last + gap < timestamp) lo++;
    let hi = lo;
    while (hi < sessions.length && sessions[hi]!.first - gap <= timestamp) hi++;
    let merged: Session<unknown>;
    if (hi === lo) {
      merged = { first: timestamp, last: timestamp, acc: this.agg.add(this.agg.empty(), value, timestamp) };
      sessions.splice(lo, 0, merged);
    } else {
      merged = sessions[lo]!;
      for (let i = lo + 1; i < hi; i++) {
        const other = sessions[i]!;
        merged.acc = this.agg.merge!(merged.acc, other.acc);
        merged.last = Math.max(merged.last, other.last);
      }
      sessions.splice(lo + 1, hi - lo - 1);
      merged.acc = this.agg.add(merged.acc, value, timestamp);
      if (timestamp < merged.first) merged.first = timestamp;
      if (timestamp > merged.last) merged.last = timestamp;
    }
    if (this.mode === 'updates')
      this.emit('updates', key, merged.first, merged.last + 1, this.agg.result(merged.acc));
    this.schedule(key, state);
    return true;
  }

  advance(watermark: number): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    this.due.closeDue(watermark, this.keys, (key, state) => {
      const closeAfter = this.gapMs + 1 + this.graceMs;
      const open: Session<unknown>[] = [];
      for (const s of state.sessions) {
        if (s.last + closeAfter <= watermark) {
          if (this.mode === 'final') this.emit('final', key, s.first, s.last + 1, this.agg.result(s.acc));
        } else open.push(s);
      }
      const closed = state.sessions.length - open.length;
      state.sessions.splice(0, state.sessions.length, ...open);
      if (open.length === 0) this.remove(key, state);
      else {
        if (closed > 0) this.tracker.touch(key, state);
        this.schedule(key, state);
      }
    });
  }

  entries(): number {
    let n = 0;
    for (const state of this.keys.values()) n += state.sessions.length;
    return n;
  }

  protected fresh(partition: number): KeySessions<unknown> {
    return new KeySessions<unknown>(partition);
  }

  protected encode(state: KeySessions<unknown>): readonly Session<unknown>[] {
    return state.sessions;
  }

  protected decode(sessions: readonly Session<unknown>[], partition: number): KeySessions<unknown> {
    const state = this.fresh(partition);
    for (const { first, last, acc } of sessions) state.sessions.push({ first, last, acc });
    return state;
  }

  protected schedule(key: K, state: KeySessions<unknown>): void {
    let at = Infinity;
    for (const s of state.sessions) at = Math.min(at, s.last + this.gapMs + 1 + this.graceMs);
    this.due.schedule(key, state, at);
  }
}
