import type { Aggregator } from './Aggregator.js';
import { materialize } from '../core/Stage.js';
import type { Headers, StreamRecord } from '../core/StreamRecord.js';
import type { Tracked } from '../state/ChangeTracker.js';
import type { Scheduled } from './DueQueue.js';
import { KeyedStore } from './KeyedStore.js';
import { lowerBound, upperBound, type EmitWindow, type Unplaced, type WindowStore } from './WindowStore.js';

class KeySliding<K, V, A> implements Tracked, Scheduled {
  /** Accepted records of the key, by event time (arrival order among equal times), and their times. */
  times: number[] = [];
  records: StreamRecord<K, V>[] = [];
  /** Whether each record has been counted in some window yet. */
  placed: boolean[] = [];
  /** Open windows, by start, and their accumulators. */
  starts: number[] = [];
  accs: A[] = [];
  scheduledAt = Infinity;
  dirty = false;
  constructor(public partition: number) {}
}

/** A key's records and windows in a checkpoint. */
interface SlidingSnapshot<K, V, A> {
  readonly times: number[];
  readonly records: StreamRecord<K, V>[];
  readonly placed: boolean[];
  readonly starts: number[];
  readonly accs: A[];
}

/**
 * Kafka Streams `SlidingWindows` (time difference `D`): inclusive windows `[s, s + D]` that records create —
 * each record's left window `[t − D, t]` (`[0, D]` when `t < D`) and, once a later record lies within
 * `D + 1`, its right window `[t + 1, t + 1 + D]`. A window that would be created already closed is not
 * created. A new window starts from every counted record in its range, so a record counts in every open
 * window that contains it, whenever that window is created. Updates follow Kafka Streams' order: existing
 * windows by descending start, the previous record's right window, the new left window, the new right
 * window; for a record earlier than `D`, existing windows by ascending start, its right window, the
 * previous record's right window, and the window `[0, D]` last.
 *
 * A record is accepted while some window that could contain it is open, but only a window that records
 * create ever counts it; if none does before every such window has closed, the record is handed to
 * `unplaced` (the operator diverts it as late), so nothing is dropped silently.
 */
export class SlidingStore<K, V, A, R>
  extends KeyedStore<K, KeySliding<K, V, A>, SlidingSnapshot<K, V, A>>
  implements WindowStore<K, V>
{
  private watermark = -Infinity;

  constructor(
    private readonly diffMs: number,
    private readonly graceMs: number,
    private readonly agg: Aggregator<V, A, R>,
    private readonly mode: 'final' | 'updates',
    private readonly emit: EmitWindow<K, R>,
    private readonly unplaced: Unplaced<K, V>,
  ) {
    super();
  }

  add(key: K, value: V, timestamp: number, headers: Headers, from: StreamRecord<unknown, unknown>): boolean {
    const d = this.diffMs;
    if (timestamp + d + 1 + this.graceMs <= this.watermark) return false;
    const state = this.stateFor(key, from);
    const { times, records, placed, starts } = state;

    // Kafka Streams puts a record earlier than D into the window [0, D] and updates that window last
    // (`processEarly`); any other record's left window is created after its predecessor's right window.
    const early = timestamp < d;

    // Existing open windows containing the record: Kafka Streams updates them by descending start (its
    // default stores iterate backwards, `processReverse`), and an early record's by ascending start.
    const first = lowerBound(starts, timestamp - d);
    const last = upperBound(starts, timestamp) - 1;
    let counted = false;
    if (early) {
      for (let i = first; i <= last; i++) {
        if (starts[i] === 0) continue;
        this.addTo(key, state, i, value, timestamp);
        counted = true;
      }
    } else {
      for (let i = last; i >= first; i--) this.addTo(key, state, i, value, timestamp);
      counted = last >= first;
    }

    const at = upperBound(times, timestamp);
    times.splice(at, 0, timestamp);
    // Kept to count it in windows created later, or to report it if none does.
    records.splice(at, 0, materialize(key, value, timestamp, headers, from));
    placed.splice(at, 0, counted);

    const lower = lowerBound(times, timestamp);
    const previous = lower > 0 ? times[lower - 1]! : undefined;
    const next = upperBound(times, timestamp);
    const hasRight = next < times.length && times[next]! <= timestamp + 1 + d;
    if (early) {
      if (hasRight) this.create(key, state, timestamp + 1);
      if (previous !== undefined) this.create(key, state, previous + 1);
      if (starts[0] === 0) {
        this.addTo(key, state, 0, value, timestamp);
        placed[at] = true;
      } else this.create(key, state, 0);
    } else {
      if (previous !== undefined && timestamp <= previous + 1 + d) this.create(key, state, previous + 1);
      this.create(key, state, timestamp - d);
      if (hasRight) this.create(key, state, timestamp + 1);
    }
    this.schedule(key, state);
    return true;
  }

  advance(watermark: number): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    this.due.closeDue(watermark, this.keys, (key, state) => {
      this.closeKey(key, state);
    });
  }

  entries(): number {
    let n = 0;
    for (const state of this.keys.values()) n += state.starts.length + state.times.length;
    return n;
  }

  private closeKey(key: K, state: KeySliding<K, V, A>): void {
    const { times, records, placed, starts, accs } = state;
    const closeAfter = this.diffMs + 1 + this.graceMs;
    let closed = 0;
    while (closed < starts.length && starts[closed]! + closeAfter <= this.watermark) {
      if (this.mode === 'final') {
        const s = starts[closed]!;
        this.emit('final', key, s, s + this.diffMs + 1, this.agg.result(accs[closed]!));
      }
      closed++;
    }
    starts.splice(0, closed);
    accs.splice(0, closed);
    // A record stays while a window containing it may still be created open (its predecessor's right window).
    const evict = upperBound(times, this.watermark - closeAfter - 1);
    // Every window that could contain these records has closed: one that none counted is reported.
    for (let i = 0; i < evict; i++) if (!placed[i]) this.unplaced(records[i]!);
    times.splice(0, evict);
    records.splice(0, evict);
    placed.splice(0, evict);
    if (starts.length === 0 && times.length === 0) this.remove(key, state);
    else {
      if (closed > 0 || evict > 0) this.tracker.touch(key, state);
      this.schedule(key, state);
    }
  }

  protected fresh(partition: number): KeySliding<K, V, A> {
    return new KeySliding<K, V, A>(partition);
  }

  protected encode(state: KeySliding<K, V, A>): SlidingSnapshot<K, V, A> {
    const { times, records, placed, starts, accs } = state;
    return { times, records, placed, starts, accs };
  }

  protected decode(snapshot: SlidingSnapshot<K, V, A>, partition: number): KeySliding<K, V, A> {
    const state = this.fresh(partition);
    state.times = [...snapshot.times];
    state.records = [...snapshot.records];
    state.placed = [...snapshot.placed];
    state.starts = [...snapshot.starts];
    state.accs = [...snapshot.accs];
    return state;
  }

  /** Adds a record to the open window at `index`. */
  private addTo(key: K, state: KeySliding<K, V, A>, index: number, value: V, timestamp: number): void {
    const { starts, accs } = state;
    accs[index] = this.agg.add(accs[index]!, value, timestamp);
    if (this.mode === 'updates') {
      this.emit(
        'updates',
        key,
        starts[index]!,
        starts[index]! + this.diffMs + 1,
        this.agg.result(accs[index]!),
      );
    }
  }

  private create(key: K, state: KeySliding<K, V, A>, start: number): void {
    const { starts, accs, times, records, placed } = state;
    const end = start + this.diffMs;
    if (end + 1 + this.graceMs <= this.watermark) return;
    const at = lowerBound(starts, start);
    if (starts[at] === start) return;
    let acc = this.agg.empty();
    for (let i = lowerBound(times, start); i < times.length && times[i]! <= end; i++) {
      acc = this.agg.add(acc, records[i]!.value, times[i]!);
      placed[i] = true;
    }
    starts.splice(at, 0, start);
    accs.splice(at, 0, acc);
    if (this.mode === 'updates') this.emit('updates', key, start, end + 1, this.agg.result(acc));
  }

  protected schedule(key: K, state: KeySliding<K, V, A>): void {
    const closeAfter = this.diffMs + 1 + this.graceMs;
    const windowAt = state.starts.length > 0 ? state.starts[0]! + closeAfter : Infinity;
    const recordAt = state.times.length > 0 ? state.times[0]! + closeAfter + 1 : Infinity;
    const at = Math.min(windowAt, recordAt);
    this.due.schedule(key, state, at);
  }
}
