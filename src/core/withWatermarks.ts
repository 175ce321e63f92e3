import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { resolveWatermarkOptions, type WatermarkOptions } from '../time/WatermarkOptions.js';
import { invalidTimestamp, isValidTimestamp } from '../time/TimestampExtractor.js';
import { WatermarkTracker } from '../time/WatermarkTracker.js';
import { Diverted, Watermark, type Chunk, type Element } from './Chunk.js';
import { partitionOf } from './StreamRecord.js';

/** Runtime inputs of the watermark operator that are not configuration. */
export interface WatermarkRuntime {
  readonly scheduler: SchedulerLike;
  /** Partitions known from the start; each holds the watermark back until it has data or turns idle. */
  readonly partitions?: readonly number[];
  /** Whether every partition has been read to its end; gates idle close. Default: always caught up. */
  readonly caughtUp?: () => boolean;
  /** Receives records from the future. */
  readonly divert: (diverted: Diverted) => void;
}

/**
 * Assigns watermarks to a chunk stream: after each record that raises the watermark a {@link Watermark}
 * marker follows it; records from the future are diverted; upstream watermarks only ever raise it.
 * When the input completes, event time ends: a final `Watermark(Infinity)` closes every window.
 */
export const withWatermarks =
  <K, V>(options: WatermarkOptions, runtime: WatermarkRuntime) =>
  (source: Observable<Chunk<K, V>>): Observable<Chunk<K, V>> => {
    const settings = resolveWatermarkOptions(options);
    const { scheduler } = runtime;
    const caughtUp = runtime.caughtUp ?? (() => true);
    const guardsFuture = settings.maxFutureSkewMs !== undefined;
    return new Observable<Chunk<K, V>>((subscriber) => {
      const tracker = new WatermarkTracker(settings, scheduler.now(), runtime.partitions ?? []);
      let emitted = tracker.current();
      let timer: Subscription | undefined;
      let timerAt = Infinity;

      const arm = (): void => {
        const at = tracker.nextDeadline(scheduler.now());
        if (at === undefined || at >= timerAt) return;
        timer?.unsubscribe();
        timerAt = at;
        timer = scheduler.schedule(
          () => {
            timerAt = Infinity;
            timer = undefined;
            const w = tracker.tick(scheduler.now(), caughtUp());
            if (w > emitted) {
              emitted = w;
              subscriber.next([new Watermark(w)]);
            }
            arm();
          },
          Math.max(0, at - scheduler.now()),
        );
      };

      const input = source.subscribe({
        next(chunk) {
          const now = scheduler.now();
          const out: Element<K, V>[] = [];
          for (let i = 0; i < chunk.length; i++) {
            const e = chunk[i]!;
            if (e instanceof Watermark) {
              const w = tracker.advanceTo(e.time);
              if (w > emitted) {
                emitted = w;
                out.push(new Watermark(w));
              }
              continue;
            }
            if (!isValidTimestamp(e.timestamp)) {
              runtime.divert(
                new Diverted(e, 'invalid', invalidTimestamp(e.timestamp, e.origin), 'withWatermarks'),
              );
              continue;
            }
            if (guardsFuture && tracker.isFromFuture(e.timestamp, now)) {
              runtime.divert(
                new Diverted(
                  e,
                  'future',
                  {
                    _tag: 'TributaryError',
                    code: 'RECORD_FROM_FUTURE',
                    message: `event time ${e.timestamp} is more than ${settings.maxFutureSkewMs} ms ahead of the clock (${now})`,
                    retriable: false,
                    ...(e.origin ? { origin: e.origin } : {}),
                  },
                  'withWatermarks',
                ),
              );
              continue;
            }
            out.push(e);
            const w = tracker.observe(partitionOf(e), e.timestamp, now);
            if (w > emitted) {
              emitted = w;
              out.push(new Watermark(w));
            }
          }
          if (out.length > 0) subscriber.next(out);
          arm();
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          if (emitted < Infinity) subscriber.next([new Watermark(Infinity)]);
          subscriber.complete();
        },
      });
      arm();
      return () => {
        input.unsubscribe();
        timer?.unsubscribe();
      };
    });
  };
