import * as t from 'io-ts';

/**
 * An io-ts codec of finite numbers: rejects `NaN` and ±`Infinity` (JSON such as `1e400` parses to
 * `Infinity`), which would otherwise poison every sum and mean they reach.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { finiteNumber } from 'tributary';
 * const Quote = t.type({ bid: finiteNumber, ask: finiteNumber });
 * Quote.is({ bid: 1, ask: Infinity }); // false
 * ```
 */
export const finiteNumber: t.Type<number, number, unknown> = new t.Type<number, number, unknown>(
  'finiteNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);
