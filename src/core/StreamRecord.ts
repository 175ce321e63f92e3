import type { Origin } from './errors.js';

/** Header values as Kafka carries them. */
export type Headers = Readonly<Record<string, string | Uint8Array>>;

/**
 * The record envelope every stream carries: a key, a value, its event time (`timestamp`, ms since the
 * epoch), headers, and — when it was read from a log — its origin.
 *
 * @example
 * ```ts
 * import { record } from 'tributary';
 * const r = record('BTCUSDT', 64_000.5, Date.UTC(2024, 7, 9));
 * r.headers; // {}
 * ```
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
  readonly origin?: Origin;
}

const NO_HEADERS: Headers = Object.freeze({});

/** Builds a record. */
export const record = <K, V>(
  key: K,
  value: V,
  timestamp: number,
  headers: Headers = NO_HEADERS,
  origin?: Origin,
): StreamRecord<K, V> =>
  origin === undefined ? { key, value, timestamp, headers } : { key, value, timestamp, headers, origin };

/** The partition a record was read from (0 for records that did not come from a log). */
export const partitionOf = (r: StreamRecord<unknown, unknown>): number => r.origin?.partition ?? 0;
