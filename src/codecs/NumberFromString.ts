import * as t from 'io-ts';

/** A plain decimal: no hexadecimal, no `Infinity`, no surrounding blanks, none of what `Number()` allows. */
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The finite number a plain decimal string spells, or `undefined` for anything else. */
export const parseDecimal = (u: unknown): number | undefined => {
  if (typeof u !== 'string' || !DECIMAL.test(u)) return undefined;
  const n = Number(u);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * An io-ts codec of numbers written as decimal strings, as exchanges send prices and quantities to keep
 * their precision (Binance: `"61685.99000000"`). Decodes to a finite number (so `"1e400"` is rejected);
 * encodes with `String(n)` (`'-0'` for -0), which reads back as the same number.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { NumberFromString } from 'tributary';
 * NumberFromString.decode('61685.99000000'); // Right(61685.99)
 * NumberFromString.decode('0x10'); // Left(...)
 * const Trade = t.type({ p: NumberFromString, q: NumberFromString });
 * ```
 */
export const NumberFromString: t.Type<number, string, unknown> = new t.Type<number, string, unknown>(
  'NumberFromString',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    const n = parseDecimal(u);
    return n === undefined ? t.failure(u, c) : t.success(n);
  },
  (n) => (Object.is(n, -0) ? '-0' : String(n)),
);
