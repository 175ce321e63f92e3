import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { resolveWatermarkOptions, type WatermarkOptions } from '../time/WatermarkOptions.js';
import { invalidTimestamp, isValidTimestamp } from '../time/TimestampExtractor.js';
import { WatermarkTracker, type WatermarkSettings } from '../time/WatermarkTracker.js';
import { Diverted, Watermark, type Chunk, type Element } from './Chunk.js';
import type { Next } from './Stage.js';
import type { StreamRecord } from './StreamRecord.js';

/** Runtime inputs of the watermark operator that are not configuration. */
export interface WatermarkRuntime {
  readonly scheduler: SchedulerLike;
  /** Partitions known from the start; each holds the watermark back until it has data or turns idle. */
  readonly partitions?: readonly number[];
  /** Whether every partition has been read to its end; gates idle close. Default: always caught up. */
  readonly caughtUp?: () => boolean;
  /** Receives records from the future. */
  readonly divert: (diverted: Diverted) => void;
  /**
   * The partitions the source reads, as they change (a consumer group's assignment). Each emission is the
   * whole set: new partitions hold the watermark back until they have data or turn idle, and partitions
   * no longer read stop holding it.
   */
  readonly assignment?: Observable<readonly number[]>;
  /** Receives the handle through which checkpoints read and restore the per-partition event times. */
  readonly register?: (state: WatermarkState) => void;
}

/** A source's watermark state, for checkpoints: each partition's largest event time. */
export interface WatermarkState {
  maxima(): [partition: number, maxTimestamp: number][];
  /** Restores partitions' largest event times (before their records are read again). */
  restore(maxima: readonly (readonly [number, number])[]): void;
}

/** Where a {@link WatermarkAssigner} sends the records it lets through and the watermarks it raises. */
export interface WatermarkSink<K, V> {
  /** A record let through, as its fields and itself (see {@link Next}). */
  record: Next<K, V>;
  watermark(w: Watermark): void;
  /** Called after a timer (idleness, idle close) raised the watermark outside of any chunk. */
  flush(): void;
}

/**
 * The watermark logic of a source, element by element: after each record that raises the watermark, a
 * {@link Watermark} follows it; records with an invalid event time or from the future are diverted;
 * upstream watermarks only ever raise it; timers on the run's scheduler apply idleness and idle close.
 * {@link withWatermarks} wraps it as an operator; a window aggregation that reads a source directly runs
 * it inline, saving a pass over each chunk.
 */
export class WatermarkAssigner<K, V> {
  private readonly tracker: WatermarkTracker;
  private readonly caughtUp: () => boolean;
  private readonly guardsFuture: boolean;
  private emitted: number;
  /** The record being handed to the sink, so a failure downstream can name it. */
  inFlight: StreamRecord<K, V> | undefined;
  private timer: Subscription | undefined;
  private timerAt = Infinity;
  private readonly assignment: Subscription | undefined;
  private assigned = new Set<number>();

  constructor(
    private readonly settings: WatermarkSettings,
    private readonly runtime: WatermarkRuntime,
    private readonly sink: WatermarkSink<K, V>,
  ) {
    this.tracker = new WatermarkTracker(settings, runtime.scheduler.now(), runtime.partitions ?? []);
    this.caughtUp = runtime.caughtUp ?? (() => true);
    this.guardsFuture = settings.maxFutureSkewMs !== undefined;
    this.emitted = this.tracker.current();
    this.assignment = runtime.assignment?.subscribe((partitions) => this.reassign(partitions));
    runtime.register?.({
      maxima: () => this.tracker.maxima(),
      restore: (maxima) => {
        const now = runtime.scheduler.now();
        for (const [partition, maxTimestamp] of maxima) this.tracker.restore(partition, maxTimestamp, now);
      },
    });
    this.arm();
  }

  /** Processes one chunk from upstream. */
  chunk(chunk: Chunk<K, V>): void {
    const { tracker, sink } = this;
    const now = this.runtime.scheduler.now();
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i]!;
      if (e instanceof Watermark) {
        this.raise(tracker.advanceTo(e.time));
        continue;
      }
      if (!isValidTimestamp(e.timestamp)) {
        this.runtime.divert(
          new Diverted(e, 'invalid', invalidTimestamp(e.timestamp, e.origin), 'withWatermarks'),
        );
        continue;
      }
      if (this.guardsFuture && tracker.isFromFuture(e.timestamp, now)) {
        this.runtime.divert(this.fromFuture(e, now));
        continue;
      }
      this.inFlight = e;
      sink.record(e.key, e.value, e.timestamp, e.headers, e);
      const w = tracker.observe(e.origin === undefined ? 0 : e.origin.partition, e.timestamp, now);
      if (w > this.emitted) this.raise(w);
    }
    this.arm();
  }

  /** A partition's own watermark ({@link WatermarkTracker.partitionWatermark}). */
  partitionWatermark(partition: number): number {
    return this.tracker.partitionWatermark(partition);
  }

  /** The input ended: event time ends, and a final `Watermark(Infinity)` closes every window. */
  end(): void {
    this.dispose();
    this.raise(Infinity);
  }

  /** Cancels the timer and stops following the assignment. */
  dispose(): void {
    this.assignment?.unsubscribe();
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private reassign(partitions: readonly number[]): void {
    const now = new Set(partitions);
    const revoked = [...this.assigned].filter((p) => !now.has(p));
    this.assigned = now;
    const clock = this.runtime.scheduler.now();
    this.tracker.revoke(revoked);
    this.tracker.assign(partitions, clock);
    const before = this.emitted;
    this.raise(this.tracker.current());
    if (this.emitted > before) this.sink.flush();
    this.arm();
  }

  private raise(w: number): void {
    if (w > this.emitted) {
      this.emitted = w;
      this.sink.watermark(new Watermark(w));
    }
  }

  private arm(): void {
    const { scheduler } = this.runtime;
    const at = this.tracker.nextDeadline(scheduler.now());
    if (at === undefined || at >= this.timerAt) return;
    this.timer?.unsubscribe();
    this.timerAt = at;
    this.timer = scheduler.schedule(
      () => {
        this.timerAt = Infinity;
        this.timer = undefined;
        const before = this.emitted;
        this.raise(this.tracker.tick(scheduler.now(), this.caughtUp()));
        if (this.emitted > before) this.sink.flush();
        this.arm();
      },
      Math.max(0, at - scheduler.now()),
    );
  }

  private fromFuture(e: StreamRecord<K, V>, now: number): Diverted {
    return new Diverted(
      e,
      'future',
      {
        _tag: 'TributaryError',
        code: 'RECORD_FROM_FUTURE',
        message: `event time ${e.timestamp} is more than ${this.settings.maxFutureSkewMs} ms ahead of the clock (${now})`,
        retriable: false,
        ...(e.origin ? { origin: e.origin } : {}),
      },
      'withWatermarks',
    );
  }
}

/**
 * Assigns watermarks to a chunk stream (see {@link WatermarkAssigner}). When the input completes, event
 * time ends: a final `Watermark(Infinity)` closes every window. Bad options throw at once, naming the field.
 */
export const withWatermarks =
  <K, V>(options: WatermarkOptions, runtime: WatermarkRuntime) =>
  (source: Observable<Chunk<K, V>>): Observable<Chunk<K, V>> => {
    const settings = resolveWatermarkOptions(options);
    return new Observable<Chunk<K, V>>((subscriber) => {
      let out: Element<K, V>[] = [];
      const flush = (): void => {
        if (out.length === 0) return;
        const ready = out;
        out = [];
        subscriber.next(ready);
      };
      const assigner = new WatermarkAssigner<K, V>(settings, runtime, {
        record: (_key, _value, _timestamp, _headers, r) => {
          out.push(r as StreamRecord<K, V>);
        },
        watermark: (w) => {
          out.push(w);
        },
        flush,
      });
      const input = source.subscribe({
        next(chunk) {
          assigner.chunk(chunk);
          flush();
        },
        error: (err) => subscriber.error(err),
        complete() {
          assigner.end();
          flush();
          subscriber.complete();
        },
      });
      return () => {
        input.unsubscribe();
        assigner.dispose();
      };
    });
  };
