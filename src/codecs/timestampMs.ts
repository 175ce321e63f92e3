import * as t from 'io-ts';

const isTimestampMs = (u: unknown): u is number => typeof u === 'number' && Number.isFinite(u) && u >= 0;

/**
 * An io-ts codec of event times: a finite, non-negative number of milliseconds since the epoch, such as
 * a Binance trade's `T`. A record whose time fails it is a decode failure, before it can reach a
 * timestamp extractor.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { timestampMs } from 'tributary';
 * const Tick = t.type({ T: timestampMs });
 * Tick.is({ T: 1723161600000 }); // true
 * Tick.is({ T: -1 }); // false
 * ```
 */
export const timestampMs: t.Type<number, number, unknown> = new t.Type<number, number, unknown>(
  'timestampMs',
  isTimestampMs,
  (u, c) => (isTimestampMs(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);
