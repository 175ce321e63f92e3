import * as E from 'fp-ts/lib/Either.js';
import type { Origin, TributaryError } from '../core/errors.js';

/**
 * Reads a record's event time (ms since the epoch) from its value and its log timestamp. A missing,
 * negative or non-finite time is a decode failure, never a crash.
 *
 * @example
 * ```ts
 * import { fromField } from 'tributary';
 * const tradeTime = fromField((trade: { T: number }) => trade.T);
 * tradeTime({ T: 1723161600000 }, 0); // Right(1723161600000)
 * ```
 */
export type TimestampExtractor<V> = (value: V, logTimestamp: number) => E.Either<TributaryError, number>;

/** The error of a record whose event time is missing, negative or not a finite number. */
export const invalidTimestamp = (what: unknown, origin?: Origin): TributaryError => ({
  _tag: 'TributaryError',
  code: 'TIMESTAMP_INVALID',
  message: `event time must be a finite, non-negative number of milliseconds, got ${JSON.stringify(what) ?? String(what)}`,
  retriable: false,
  ...(origin ? { origin } : {}),
});

/** Whether `t` can be an event time. */
export const isValidTimestamp = (t: unknown): t is number =>
  typeof t === 'number' && Number.isFinite(t) && t >= 0;

const check = (t: unknown): E.Either<TributaryError, number> =>
  isValidTimestamp(t) ? E.right(t) : E.left(invalidTimestamp(t));

/** The log's own timestamp (Kafka's record timestamp): the default. */
export const kafkaTimestamp =
  <V>(): TimestampExtractor<V> =>
  (_value, logTimestamp) =>
    check(logTimestamp);

/** A field of the value, e.g. a trade's `T`. */
export const fromField =
  <V>(select: (value: V) => unknown): TimestampExtractor<V> =>
  (value) => {
    try {
      return check(select(value));
    } catch (cause) {
      return E.left({ ...invalidTimestamp(undefined), cause });
    }
  };
