import { configError, raise } from '../core/errors.js';
import { unsafePositiveMillis, unsafeToMillis, type Duration } from '../time/Duration.js';

/** Options shared by every window kind. */
export interface WindowOptions {
  /**
   * How long after its end (in event time) a window still accepts records. Default `0`: the watermark's
   * out-of-orderness already absorbs disorder.
   */
  readonly grace?: Duration;
}

/** Fixed-size, non-overlapping windows `[k·size, k·size + size)`. */
export interface TumblingWindows {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
  readonly graceMs: number;
}
/** Fixed-size windows starting every `advance`: `[k·advance, k·advance + size)` (Spark calls these "sliding"). */
export interface HoppingWindows {
  readonly kind: 'hopping';
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
}
/** Kafka Streams `SlidingWindows`: inclusive `[s, s + D]` windows created by records. */
export interface SlidingWindows {
  readonly kind: 'sliding';
  readonly timeDifferenceMs: number;
  readonly graceMs: number;
}
/** Activity periods separated by at least `gap` of inactivity. */
export interface SessionWindows {
  readonly kind: 'session';
  readonly gapMs: number;
  readonly graceMs: number;
}

export type WindowSpec = TumblingWindows | HoppingWindows | SlidingWindows | SessionWindows;

const graceOf = (options: WindowOptions | undefined, field: string): number =>
  unsafeToMillis(options?.grace ?? 0, `${field}.grace`);

/**
 * Tumbling windows of `size`.
 *
 * @example
 * ```ts
 * import { tumbling } from 'tributary';
 * const candles = tumbling('1m'); // [0, 60000), [60000, 120000), …
 * ```
 */
export const tumbling = (size: Duration, options?: WindowOptions): TumblingWindows => ({
  kind: 'tumbling',
  sizeMs: unsafePositiveMillis(size, 'tumbling.size'),
  graceMs: graceOf(options, 'tumbling'),
});

/**
 * Hopping windows of `size` that start every `advance`. A record belongs to `ceil(size / advance)` windows,
 * but costs one update: results are combined from panes of `gcd(size, advance)`.
 *
 * @example
 * ```ts
 * import { hopping } from 'tributary';
 * const movingAverage = hopping('30s', '5s', { grace: '0s' });
 * ```
 */
export const hopping = (size: Duration, advance: Duration, options?: WindowOptions): HoppingWindows => {
  const sizeMs = unsafePositiveMillis(size, 'hopping.size');
  const advanceMs = unsafePositiveMillis(advance, 'hopping.advance');
  if (advanceMs > sizeMs)
    raise(configError('hopping.advance', `must not exceed the size (${sizeMs} ms), got ${advanceMs} ms`));
  return { kind: 'hopping', sizeMs, advanceMs, graceMs: graceOf(options, 'hopping') };
};

/**
 * Kafka Streams sliding windows with time difference `D`: each record at `t` creates its left window
 * `[t − D, t]` (or `[0, D]` when `t < D`) and, once a later record falls within `D`, its right window
 * `[t + 1, t + 1 + D]`. Results report the exclusive end `s + D + 1`.
 *
 * @example
 * ```ts
 * import { sliding } from 'tributary';
 * const last30s = sliding('30s', { grace: '10s' });
 * ```
 */
export const sliding = (timeDifference: Duration, options?: WindowOptions): SlidingWindows => ({
  kind: 'sliding',
  timeDifferenceMs: unsafeToMillis(timeDifference, 'sliding.timeDifference'),
  graceMs: graceOf(options, 'sliding'),
});

/**
 * Session windows: records of a key closer than `gap` (inclusive) belong to one session; sessions that a
 * record bridges merge. A session `[first, last]` closes when the watermark reaches `last + gap + 1 + grace`.
 *
 * @example
 * ```ts
 * import { session } from 'tributary';
 * const visits = session('30m');
 * ```
 */
export const session = (gap: Duration, options?: WindowOptions): SessionWindows => ({
  kind: 'session',
  gapMs: unsafePositiveMillis(gap, 'session.gap'),
  graceMs: graceOf(options, 'session'),
});
