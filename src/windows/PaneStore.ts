import { withEntryMerge, type Aggregator } from './Aggregator.js';
import type { Headers, StreamRecord } from '../core/StreamRecord.js';
import type { Tracked } from '../state/ChangeTracker.js';
import type { Scheduled } from './DueQueue.js';
import { KeyedStore } from './KeyedStore.js';
import { lowerBound, type EmitWindow, type WindowStore } from './WindowStore.js';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

class KeyPanes<A> implements Tracked, Scheduled {
  /** Pane start times, ascending, and their accumulators. */
  starts: number[] = [];
  accs: A[] = [];
  /** When this key is queued to close its next window (`Infinity`: not queued). */
  scheduledAt = Infinity;
  /** Start of this key's last closed window: after a restore, windows up to it are not emitted again. */
  closedThrough = -Infinity;
  dirty = false;
  constructor(public partition: number) {}
}

/** A key's panes in a checkpoint. */
interface PanesSnapshot {
  readonly starts: number[];
  readonly accs: unknown[];
  readonly closedThrough: number;
}

/**
 * Tumbling and hopping windows over panes of `gcd(size, advance)`: a record updates one pane, and a
 * window's result merges its `size / pane` panes when it is emitted. Windows start at `k·advance ≥ 0`.
 */
export class PaneStore<K, V, A, R>
  extends KeyedStore<K, KeyPanes<unknown>, PanesSnapshot>
  implements WindowStore<K, V>
{
  private readonly paneMs: number;
  private readonly agg: Aggregator<V, unknown, R>;
  /** Start of the last closed window (−∞ before any). */
  private closedThrough = -Infinity;

  constructor(
    private readonly sizeMs: number,
    private readonly advanceMs: number,
    private readonly graceMs: number,
    aggregator: Aggregator<V, A, R>,
    private readonly mode: 'final' | 'updates',
    private readonly emit: EmitWindow<K, R>,
  ) {
    super();
    this.paneMs = gcd(sizeMs, advanceMs);
    const single = this.paneMs === sizeMs;
    this.agg = (single || aggregator.merge ? aggregator : withEntryMerge(aggregator)) as Aggregator<
      V,
      unknown,
      R
    >;
  }

  add(key: K, value: V, timestamp: number, _headers: Headers, from: StreamRecord<unknown, unknown>): boolean {
    const adv = this.advanceMs;
    // Division beats `%`, which is a slow floating-point remainder for epoch-millisecond doubles.
    const lastStart = Math.floor(timestamp / adv) * adv;
    if (lastStart <= this.closedThrough) return false;
    const state = this.stateFor(key, from);
    const paneStart = this.paneMs === adv ? lastStart : Math.floor(timestamp / this.paneMs) * this.paneMs;
    const { starts, accs } = state;
    let i = starts.length - 1;
    if (i < 0 || starts[i] !== paneStart) {
      i = lowerBound(starts, paneStart);
      if (starts[i] !== paneStart) {
        starts.splice(i, 0, paneStart);
        accs.splice(i, 0, this.agg.empty());
        // Only a new first pane can make the key's next close earlier.
        if (i === 0) this.schedule(key, state);
      }
    }
    accs[i] = this.agg.add(accs[i], value, timestamp);
    if (this.mode === 'updates') {
      for (
        let s = Math.max(
          this.firstStartContaining(timestamp),
          Math.max(this.closedThrough, state.closedThrough) + adv,
        );
        s <= lastStart;
        s += adv
      ) {
        this.emit('updates', key, s, s + this.sizeMs, this.windowResult(state, s));
      }
    }
    return true;
  }

  advance(watermark: number): void {
    const adv = this.advanceMs;
    const through = Math.floor((watermark - this.sizeMs - this.graceMs) / adv) * adv;
    if (!(through > this.closedThrough)) return;
    const from = this.closedThrough;
    this.closedThrough = through;
    this.due.closeDue(watermark, this.keys, (key, state) => {
      this.closeKey(key, state, from, through);
    });
  }

  entries(): number {
    let n = 0;
    for (const state of this.keys.values()) n += state.starts.length;
    return n;
  }

  /** Emits (in final mode) the windows of `key` that start in `(from, through]` and drops panes no open window needs. */
  private closeKey(key: K, state: KeyPanes<unknown>, from: number, through: number): void {
    const { starts, accs } = state;
    const adv = this.advanceMs;
    const size = this.sizeMs;
    if (this.mode === 'final' && starts.length > 0) {
      let s = Math.max(this.firstStartContaining(starts[0]!), from + adv, state.closedThrough + adv);
      let i = 0;
      while (s <= through) {
        while (i < starts.length && starts[i]! < s) i++;
        if (i === starts.length) break;
        if (starts[i]! >= s + size) {
          s = Math.max(s + adv, this.firstStartContaining(starts[i]!));
          continue;
        }
        this.emit('final', key, s, s + size, this.windowResult(state, s, i));
        s += adv;
      }
    }
    if (through > state.closedThrough) state.closedThrough = through;
    const keep = lowerBound(starts, through + adv);
    if (keep > 0) {
      starts.splice(0, keep);
      accs.splice(0, keep);
    }
    if (starts.length === 0) this.remove(key, state);
    else {
      if (keep > 0) this.tracker.touch(key, state);
      this.schedule(key, state);
    }
  }

  protected fresh(partition: number): KeyPanes<unknown> {
    return new KeyPanes<unknown>(partition);
  }

  protected encode(state: KeyPanes<unknown>): PanesSnapshot {
    return { starts: state.starts, accs: state.accs, closedThrough: state.closedThrough };
  }

  protected decode(snapshot: PanesSnapshot, partition: number): KeyPanes<unknown> {
    const state = this.fresh(partition);
    state.starts = [...snapshot.starts];
    state.accs = [...snapshot.accs];
    state.closedThrough = snapshot.closedThrough;
    return state;
  }

  /** Result of window `[s, s + size)` from the panes it covers; `from` is a hint: no pane before it is inside. */
  private windowResult(state: KeyPanes<unknown>, s: number, from = lowerBound(state.starts, s)): R {
    const { starts, accs } = state;
    const end = s + this.sizeMs;
    if (this.paneMs === this.sizeMs) return this.agg.result(accs[from]);
    let acc = this.agg.empty();
    for (let i = from; i < starts.length && starts[i]! < end; i++) acc = this.agg.merge!(acc, accs[i]);
    return this.agg.result(acc);
  }

  /** Start of the earliest window (≥ 0) that contains time `t`. */
  private firstStartContaining(t: number): number {
    return Math.max(0, (Math.floor((t - this.sizeMs) / this.advanceMs) + 1) * this.advanceMs);
  }

  protected schedule(key: K, state: KeyPanes<unknown>): void {
    const nextStart = Math.max(
      this.firstStartContaining(state.starts[0]!),
      Math.max(this.closedThrough, state.closedThrough) + this.advanceMs,
    );
    const at = nextStart + this.sizeMs + this.graceMs;
    this.due.schedule(key, state, at);
  }
}
